using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace CourseNotification.Tests.Cli;

/// <summary>
/// What a newcomer meets first, with <c>cn</c> run as a process: a wrong setting, a wrong verb, a port
/// already taken, a report with nothing to read are each refused in one line that says what to do (exit
/// code 2, no stack trace, nothing started); progress bars stay out of redirected output.
/// </summary>
[TestClass]
[TestCategory("cli")]
public sealed class RefusalTests
{
    private const int FunctionsPort = 7071;

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("Platform__Enabled", "maybe", "Setting Platform__Enabled: \"maybe\" is not true or false.")]
    [DataRow("Email__Smtp__Port", "abc", "Setting Email__Smtp__Port: \"abc\" is not a whole number.")]
    [DataRow("Platform__TimeZone", "Mars/Olympus", "Setting Platform__TimeZone: \"Mars/Olympus\" is not a known IANA time zone (e.g. Europe/Paris).")]
    public async Task A_wrong_setting_is_one_line_naming_it_as_written(string name, string value, string line)
    {
        var fromEnvironment = await CnProcess.RunAsync(["scan", "--at", "2031-01-06T09:00:00Z"], new Dictionary<string, string> { [name] = value });
        AssertRefused(fromEnvironment, line);

        // Typed as a word, in the user's own case.
        var lower = name.ToLowerInvariant();
        var fromWord = await CnProcess.RunAsync(["scan", "--at", "2031-01-06T09:00:00Z", $"{lower}={value}"]);
        AssertRefused(fromWord, line.Replace(name, lower, StringComparison.Ordinal));
    }

    [TestMethod]
    [DataRow("next tuesday", "--at 'next tuesday' is not an ISO 8601 instant.")]
    [DataRow("9999-01-01T00:00:00Z", "--at '9999-01-01T00:00:00Z' is out of range (a date from 1970 to 8999 is expected).")]
    public async Task An_instant_to_act_at_is_read_as_the_routes_read_theirs(string at, string line)
    {
        AssertRefused(await CnProcess.RunAsync(["scan", "--at", at]), line);
    }

    [TestMethod]
    public async Task An_unknown_command_is_named_with_the_commands_there_are()
    {
        var run = await CnProcess.RunAsync(["nonsense"]);
        AssertRefused(run, "Unknown command 'nonsense'. The commands: serve, scan, dispatch, preview, redrive, sync, import, report, demo (cn --help says what each does).");
    }

    [TestMethod]
    public async Task Serve_says_which_option_to_use_when_its_port_is_taken()
    {
        using var holder = Hold(FunctionsPort);
        var run = await CnProcess.RunAsync(["serve"]);
        Assert.AreEqual(2, run.Exit, run.Output + run.Error);
        var line = OneLine(run.Error);
        StringAssert.StartsWith(line, $"Port {FunctionsPort} is taken");
        StringAssert.Contains(line, "--urls http://127.0.0.1:");
        Assert.AreEqual("", run.Output, "nothing started");
    }

    [TestMethod]
    public async Task Report_checks_its_options_first_and_refuses_to_report_on_an_empty_storage()
    {
        var folder = Directory.CreateTempSubdirectory("cn-report-").FullName;
        var wrongDay = await CnProcess.RunAsync(["report", "--out", "r.pdf", "--from", "2031-02-30"], folder: folder);
        AssertRefused(wrongDay, "No report: from: from is a date: yyyy-MM-dd.");

        var noStorage = await CnProcess.RunAsync(["report", "--out", "r.pdf"], folder: folder);
        Assert.AreEqual(2, noStorage.Exit, noStorage.Output + noStorage.Error);
        StringAssert.StartsWith(OneLine(noStorage.Error), "No report: AzureWebJobsStorage is not set");
        Assert.IsFalse(File.Exists(Path.Combine(folder, "r.pdf")), "no empty report written");
        Assert.IsTrue(noStorage.Took < TimeSpan.FromSeconds(20), $"refused before starting anything ({noStorage.Took})");
    }

    [TestMethod]
    public async Task Import_draws_no_progress_bar_into_redirected_output()
    {
        var folder = Directory.CreateTempSubdirectory("cn-import-").FullName;
        var csv = new StringBuilder("course id,user id,email,first name,last name,language\n");
        for (var i = 1; i <= 300; i++)
        {
            csv.Append(CultureInfo.InvariantCulture, $"{1 + (i % 3)},{i},u{i}@example.org,F{i},L{i},fr\n");
        }
        await File.WriteAllTextAsync(Path.Combine(folder, "participants.csv"), csv.ToString(), TestContext.CancellationToken);
        var run = await CnProcess.RunAsync(["import", "participants.csv"], folder: folder, timeout: TimeSpan.FromMinutes(3));
        Assert.AreEqual(0, run.Exit, run.Output + run.Error);
        StringAssert.Contains(run.Output, "300 rows:");
        Assert.IsTrue(run.Took > TimeSpan.FromSeconds(2), $"long enough for a bar on a terminal ({run.Took})");
        Assert.IsFalse(run.Error.Contains('\r', StringComparison.Ordinal) || run.Output.Contains('\r', StringComparison.Ordinal), run.Error);
    }

    [TestMethod]
    public async Task The_demo_takes_a_free_port_when_7071_is_taken_and_writes_plain_lines()
    {
        using var holder = Hold(FunctionsPort);
        var run = await CnProcess.RunAsync(["demo", "--days", "4", "--learners", "20"], timeout: TimeSpan.FromMinutes(6));
        Assert.AreEqual(0, run.Exit, run.Output + run.Error);
        var listens = System.Text.RegularExpressions.Regex.Match(run.Output, $@"Port {FunctionsPort} is taken .*: the demo listens on http://127\.0\.0\.1:(?<port>\d+) instead\.");
        Assert.IsTrue(listens.Success, run.Output);
        StringAssert.Contains(run.Output, $"Local host on http://127.0.0.1:{listens.Groups["port"].Value}/");
        StringAssert.Contains(run.Output, "Played 4 days");
        Assert.IsFalse(run.Output.Contains('\r', StringComparison.Ordinal), "no carriage returns in redirected output");
    }

    private static void AssertRefused(CnRun run, string line)
    {
        Assert.AreEqual(2, run.Exit, run.Output + run.Error);
        Assert.AreEqual(line, OneLine(run.Error));
        Assert.AreEqual("", run.Output, "nothing started (no Azurite, no host)");
    }

    /// <summary>The error output, which must be exactly one line (no stack trace).</summary>
    private static string OneLine(string error)
    {
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.AreEqual(1, lines.Length, error);
        return lines[0];
    }

    /// <summary>Holds a loopback port for the test (if something else holds it already, it is taken all the same).</summary>
    private static TcpListener? Hold(int port)
    {
        var listener = new TcpListener(IPAddress.Loopback, port);
        try
        {
            listener.Start();
            return listener;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.AddressAlreadyInUse)
        {
            listener.Dispose();
            return null;
        }
    }
}
