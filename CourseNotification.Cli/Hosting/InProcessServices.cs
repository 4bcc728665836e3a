using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Cli.Hosting;

/// <summary>
/// Services that an in-process caller of <see cref="CliApp.RunAsync"/> adds to every host the verb starts
/// (the tests add Azure's storage limits, which Azurite does not enforce). Flows with the call, so
/// verbs run at the same time keep their own.
/// </summary>
internal static class InProcessServices
{
    private static readonly AsyncLocal<Action<IServiceCollection>?> Current = new();

    public static Action<IServiceCollection>? Value
    {
        get => Current.Value;
        set => Current.Value = value;
    }
}
