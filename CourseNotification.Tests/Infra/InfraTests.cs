using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Settings;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Infra;

/// <summary>
/// infra/ compiles and lints clean with the Bicep CLI from NuGet (tools/bicep), and the deployment and
/// the code agree: every app setting the code binds is set by Bicep or documented as optional in the
/// README, every setting Bicep sets is read by the code or the host, and the tables and queues match.
/// </summary>
[TestClass]
[TestCategory("infra")]
public sealed partial class InfraTests
{
    /// <summary>Settings Bicep sets that the Functions host or an Azure SDK reads, not our options classes.</summary>
    private static readonly Dictionary<string, string> HostSettings = new()
    {
        ["AzureWebJobsStorage__credential"] = "the Functions host: identity-based storage connection",
        ["APPLICATIONINSIGHTS_CONNECTION_STRING"] = "the Functions host and the worker's telemetry",
        ["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"] = "telemetry sent as the managed identity (local auth is off)",
        ["AZURE_CLIENT_ID"] = "Azure.Identity: which user-assigned identity DefaultAzureCredential uses (ACS Email)",
    };

    /// <summary>What <see cref="StorageAccount.FromConfiguration"/> reads.</summary>
    private static readonly string[] StorageSettings =
        ["AzureWebJobsStorage", "AzureWebJobsStorage__accountName", "AzureWebJobsStorage__clientId", "AzureWebJobsStorage__tableServiceUri", "AzureWebJobsStorage__queueServiceUri"];

    private static readonly Lazy<JsonNode> Compiled = new(() => JsonNode.Parse(Bicep("build", "infra/main.bicep", "--stdout").Output)!);

    [TestMethod]
    public void Main_bicep_builds_and_lints_with_no_error_and_no_warning()
    {
        var build = Bicep("build", "infra/main.bicep", "--stdout");
        Assert.AreEqual(0, build.ExitCode, build.Errors);
        Assert.AreEqual("", build.Errors.Trim(), "warnings or errors from bicep build");
        var lint = Bicep("lint", "infra/main.bicep");
        Assert.AreEqual(0, lint.ExitCode, lint.Errors);
        Assert.AreEqual("", (lint.Output + lint.Errors).Trim(), "diagnostics from bicep lint");
    }

    [TestMethod]
    public void Every_setting_the_code_binds_is_set_by_bicep_or_documented_as_optional()
    {
        var deployed = DeployedSettings();
        var documented = DocumentedSettingPatterns();
        var missing = CodeSettings().Where(s => !deployed.Contains(s) && !documented.Any(p => p.IsMatch(s))).ToList();
        Assert.AreEqual(0, missing.Count, "neither set by infra nor in the README's settings: " + string.Join(", ", missing));
    }

    [TestMethod]
    public void Every_setting_bicep_sets_is_read_by_the_code_or_the_host()
    {
        var code = CodeSettings().ToHashSet(StringComparer.OrdinalIgnoreCase);
        var unknown = DeployedSettings().Where(s => !code.Contains(s) && !HostSettings.ContainsKey(s)).ToList();
        Assert.AreEqual(0, unknown.Count, "set by infra but read by nobody: " + string.Join(", ", unknown));
    }

    [TestMethod]
    public void The_tables_and_queues_infra_creates_are_the_ones_the_code_uses()
    {
        var storage = Compiled.Value["resources"]!["storage"]!["properties"]!["template"]!["variables"]!;
        CollectionAssert.AreEquivalent(StorageNames.Tables.ToArray(), storage["tables"]!.AsArray().Select(t => (string)t!).ToArray());
        CollectionAssert.AreEquivalent(StorageNames.Queues.ToArray(), storage["queues"]!.AsArray().Select(q => (string)q!).ToArray());
    }

    [TestMethod]
    public void The_function_app_is_tagged_for_azd_and_keyless()
    {
        var json = Compiled.Value.ToJsonString();
        var tags = (string?)Compiled.Value["resources"]!["functionApp"]!["properties"]!["parameters"]!["tags"]!["value"];
        Assert.IsTrue(tags?.Contains("createObject('azd-service-name', 'api')", StringComparison.Ordinal), tags);
        Assert.IsTrue(json.Contains("\"tags\":{\"azd-env-name\":", StringComparison.Ordinal), "azd-env-name tag");
        Assert.IsTrue(json.Contains("\"allowSharedKeyAccess\":false", StringComparison.Ordinal), "storage without shared keys");
        Assert.IsTrue(json.Contains("\"DisableLocalAuth\":true", StringComparison.Ordinal), "Application Insights without keys");
        Assert.IsTrue(json.Contains("\"tier\":\"FlexConsumption\"", StringComparison.Ordinal), "Flex Consumption plan");
        Assert.IsTrue(json.Contains("\"name\":\"dotnet-isolated\",\"version\":\"10.0\"", StringComparison.Ordinal), ".NET 10 isolated runtime");
        Assert.IsFalse(AccountKeyPattern().IsMatch(json), "no account key or connection string with a key in infra");
    }

    /// <summary>Settings names of every options class the code binds (Section__Property__Sub), and the storage connection.</summary>
    private static IEnumerable<string> CodeSettings()
    {
        var sections = new (string Section, Type Options)[]
        {
            (PlatformOptions.Section, typeof(PlatformOptions)),
            (EmailOptions.Section, typeof(EmailOptions)),
            (SignalOptions.Section, typeof(SignalOptions)),
            (MoodleOptions.Section, typeof(MoodleOptions)),
        };
        return sections.SelectMany(s => Leaves(s.Section, s.Options)).Concat(StorageSettings);

        static IEnumerable<string> Leaves(string prefix, Type type)
        {
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var name = $"{prefix}__{property.Name}";
                var leaf = property.PropertyType.IsPrimitive || property.PropertyType.IsEnum
                    || property.PropertyType == typeof(string) || property.PropertyType == typeof(TimeSpan);
                foreach (var setting in leaf ? [name] : Leaves(name, property.PropertyType))
                {
                    yield return setting;
                }
            }
        }
    }

    private static HashSet<string> DeployedSettings()
    {
        var functionApp = Compiled.Value["resources"]!["functionApp"]!["properties"]!;
        var appSettings = functionApp["parameters"]!["appSettings"]!["value"]!.AsObject().Select(p => p.Key);
        var hostSettings = functionApp["template"]!["variables"]!["hostSettings"]!.AsObject().Select(p => p.Key);
        return appSettings.Concat(hostSettings).ToHashSet(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The backticked setting names of the README's Settings section; <c>&lt;Signal&gt;</c> stands for any word.</summary>
    private static List<Regex> DocumentedSettingPatterns()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot, "README.md"));
        var settings = readme[readme.IndexOf("## Settings", StringComparison.Ordinal)..];
        settings = settings[..settings.IndexOf("\n## ", 3, StringComparison.Ordinal)];
        return [.. BacktickedName().Matches(settings).Select(m => new Regex("^" + Regex.Escape(m.Groups[1].Value).Replace("<Signal>", "[A-Za-z0-9]+", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase))];
    }

    private static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "infra", "main.bicep")))
            {
                return folder.FullName;
            }
        }
        throw new InvalidOperationException("infra/main.bicep not found above the test assembly.");
    }

    private static (int ExitCode, string Output, string Errors) Bicep(params string[] arguments)
    {
        var start = new ProcessStartInfo(Path.Combine(RepositoryRoot, "tools", "bicep"))
        {
            WorkingDirectory = RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, output.Result, errors.Result);
    }

    [GeneratedRegex(@"`((?:[A-Za-z0-9]+|<Signal>)(?:__(?:[A-Za-z0-9]+|<Signal>))+|AzureWebJobsStorage)`")]
    private static partial Regex BacktickedName();

    [GeneratedRegex(@"AccountKey=|accesskey=|listKeys\(", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKeyPattern();
}
