using System.CommandLine;
using CourseNotification.Enrolments;

namespace CourseNotification.Cli.Commands;

/// <summary>Options several verbs share.</summary>
internal static class CommonOptions
{
    /// <summary><c>--at</c>: the instant the verb acts at (default: now), so any day can be played.</summary>
    public static Option<DateTimeOffset?> At() => new("--at")
    {
        Description = "ISO 8601 instant to act at (default: now), e.g. 2026-01-05T09:00:00+01:00",
        CustomParser = result =>
        {
            var text = result.Tokens.Single().Value;
            if (SupportedDates.TryParseInstant(text, out var at, out var problem))
            {
                return at;
            }
            result.AddError($"--at {problem}");
            return null;
        },
    };
}
