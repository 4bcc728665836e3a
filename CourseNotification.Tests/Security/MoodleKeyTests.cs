using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;

namespace CourseNotification.Tests.Security;

/// <summary>
/// Moodle gets its own function key on the two routes it calls, never the host key (which also opens
/// export, erasure and the administrators' pages): azd's postdeploy hook creates it once, the same on
/// both triggers, and leaves it alone afterwards. Azure cannot be reached here, so the hook runs against
/// a stand-in <c>az</c> that keeps the keys in files.
/// </summary>
[TestClass]
[TestCategory("infra")]
public sealed partial class MoodleKeyTests
{
    private static readonly string Root = Path.GetFullPath(Path.Combine(Here(), "..", ".."));

    private static readonly string Hook = Path.Combine(Root, "infra", "hooks", "moodle-key.sh");

    [TestMethod]
    public void The_hook_names_the_function_level_triggers_of_moodles_two_routes_and_azd_runs_it_after_deploy()
    {
        var triggers = Trigger().Matches(File.ReadAllText(Path.Combine(Root, "CourseNotification.Functions", "HttpTriggers.cs")))
            .ToDictionary(m => m.Groups[1].Value, m => (Level: m.Groups[2].Value, Route: m.Groups[3].Value));
        var named = Regex.Matches(File.ReadAllText(Hook), "--function-name (\\w+)").Select(m => m.Groups[1].Value).Distinct().Order().ToArray();
        CollectionAssert.AreEqual(new[] { "PostMoodleEvents", "PutSnapshots" }, named);
        Assert.AreEqual(("Function", "api/moodle/events"), triggers["PostMoodleEvents"], "a function key opens it (an Admin level would need the master key)");
        Assert.AreEqual(("Function", "api/snapshots"), triggers["PutSnapshots"]);
        StringAssert.Contains(File.ReadAllText(Path.Combine(Root, "azure.yaml")), "run: ./infra/hooks/moodle-key.sh");
    }

    [TestMethod]
    public void The_hook_creates_one_key_for_both_routes_once_and_keeps_it()
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Inconclusive("The hook is a POSIX shell script (azd runs it on Linux and macOS).");
            return;
        }
        var folder = Directory.CreateTempSubdirectory("fake-az-").FullName;
        File.WriteAllText(Path.Combine(folder, "az"), """
            #!/bin/sh
            # A stand-in for the Azure CLI: "functionapp function keys list|set", the keys kept as files, every call logged.
            echo "$*" >> "$FAKE_AZ/calls"
            [ "$1 $2" = "account show" ] && exit 0
            verb="$4"; fn=; value=
            while [ $# -gt 0 ]; do
              case "$1" in
                --function-name) fn="$2"; shift;;
                --key-value) value="$2"; shift;;
              esac
              shift
            done
            if [ "$verb" = set ]; then
              [ -n "$value" ] || value="generated-$$"
              printf '%s' "$value" > "$FAKE_AZ/$fn.moodle"
              echo "$value"
            elif [ -f "$FAKE_AZ/$fn.moodle" ]; then
              cat "$FAKE_AZ/$fn.moodle"; echo
            fi
            """.Replace("\r", "", StringComparison.Ordinal));
        File.SetUnixFileMode(Path.Combine(folder, "az"), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var first = Run(folder);
        StringAssert.Contains(first, "Created the function key 'moodle' on PostMoodleEvents.");
        var key = File.ReadAllText(Path.Combine(folder, "PostMoodleEvents.moodle"));
        Assert.AreEqual(key, File.ReadAllText(Path.Combine(folder, "PutSnapshots.moodle")), "the same key on both routes");
        Assert.IsFalse(first.Contains(key, StringComparison.Ordinal), "the key is not printed into azd's output");

        var second = Run(folder);
        Assert.IsFalse(second.Contains("Created", StringComparison.Ordinal) || second.Contains("Set the same", StringComparison.Ordinal), second);
        Assert.AreEqual(key, File.ReadAllText(Path.Combine(folder, "PostMoodleEvents.moodle")), "a second deploy keeps the key Moodle holds");
        Assert.AreEqual(2, File.ReadAllLines(Path.Combine(folder, "calls")).Count(l => l.Contains("keys set", StringComparison.Ordinal)), "keys were set on the first deploy only");
    }

    private static string Run(string fakeAz)
    {
        var start = new ProcessStartInfo("sh", [Hook]) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.Environment["PATH"] = fakeAz + ":" + Environment.GetEnvironmentVariable("PATH");
        start.Environment["FAKE_AZ"] = fakeAz;
        start.Environment["AZURE_FUNCTION_APP_NAME"] = "func-test";
        start.Environment["AZURE_RESOURCE_GROUP"] = "rg-test";
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.AreEqual(0, process.ExitCode, output);
        return output;
    }

    private static string Here([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

    [GeneratedRegex(@"\[Function\(""(\w+)""\)\]\s*public[^\n]*\n\s*\[HttpTrigger\(AuthorizationLevel\.(\w+), ""\w+"", Route = ""([^""]+)""\)")]
    private static partial Regex Trigger();
}
