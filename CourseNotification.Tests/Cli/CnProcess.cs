using System.Collections;
using System.Diagnostics;

namespace CourseNotification.Tests.Cli;

/// <summary>What a run of <c>cn</c> printed and returned.</summary>
internal sealed record CnRun(int Exit, string Output, string Error, TimeSpan Took);

/// <summary>
/// <c>cn</c> run as a user runs it: its own process (the build puts it beside the tests), output and error
/// redirected, in an empty working folder, with none of this machine's settings in its environment
/// unless given.
/// </summary>
internal static class CnProcess
{
    public static async Task<CnRun> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null, TimeSpan? timeout = null, string? folder = null)
    {
        var start = new ProcessStartInfo(Path.Combine(AppContext.BaseDirectory, "cn"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = folder ?? Directory.CreateTempSubdirectory("cn-").FullName,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        // The settings of this machine or of the test run are not the user's.
        foreach (var name in Environment.GetEnvironmentVariables().Keys.Cast<string>()
            .Where(n => n.Contains("__", StringComparison.Ordinal) || n.StartsWith("AzureWebJobs", StringComparison.OrdinalIgnoreCase)))
        {
            start.Environment.Remove(name);
        }
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }
        var clock = Stopwatch.StartNew();
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var limit = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(1));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            Assert.Fail($"cn {string.Join(' ', args)} did not finish within {timeout ?? TimeSpan.FromMinutes(1)}: {await output}{await error}");
        }
        return new CnRun(process.ExitCode, await output, await error, clock.Elapsed);
    }
}
