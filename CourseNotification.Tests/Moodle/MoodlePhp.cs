using System.Diagnostics;

namespace CourseNotification.Tests.Moodle;

/// <summary>The repository's <c>moodle/</c> folder and a way to run PHP on it.</summary>
internal static class MoodlePhp
{
    public static string Folder { get; } = FindFolder();

    /// <summary>The PHP binary: <c>MOODLE_PHP</c>, else <c>php</c> when it is on PATH, else null.</summary>
    public static string? Binary { get; } = Environment.GetEnvironmentVariable("MOODLE_PHP") is { Length: > 0 } php ? php : OnPath("php");

    private static string FindFolder()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            var moodle = Path.Combine(folder.FullName, "moodle", "local_coursenotification");
            if (Directory.Exists(moodle))
            {
                return Path.Combine(folder.FullName, "moodle");
            }
        }
        throw new InvalidOperationException("moodle/local_coursenotification not found above the test assembly.");
    }

    private static string? OnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    /// <summary>Runs PHP with the arguments; its exit code, standard output and error.</summary>
    public static async Task<(int ExitCode, string Output, string Errors)> RunAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(Binary ?? throw new InvalidOperationException("php is not on PATH"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return (process.ExitCode, await output, await errors);
    }
}
