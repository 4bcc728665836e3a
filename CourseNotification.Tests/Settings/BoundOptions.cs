using System.Reflection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CourseNotification.Tests.Settings;

/// <summary>
/// Every options class the hosts bind from configuration, found rather than listed: the
/// <see cref="IOptionsChangeTokenSource{TOptions}"/> that <c>BindConfiguration</c> registers for each in
/// <see cref="ServiceCollectionExtensions.AddCourseNotification"/>, with the section the class names
/// (its <c>Section</c> constant). A new options class is then checked by every test that uses this.
/// </summary>
internal static class BoundOptions
{
    public static IReadOnlyList<(string Section, Type Options)> All { get; } = Find();

    private static List<(string Section, Type Options)> Find()
    {
        var services = new ServiceCollection();
        services.AddCourseNotification(new ConfigurationBuilder().Build());
        return [.. services
            .Where(d => d.ServiceType.IsGenericType && d.ServiceType.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>))
            .Select(d => d.ServiceType.GetGenericArguments()[0])
            .Distinct()
            .Select(t => ((string?)t.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue()
                ?? throw new InvalidOperationException($"{t.Name} is bound but names no Section."), t))];
    }
}
