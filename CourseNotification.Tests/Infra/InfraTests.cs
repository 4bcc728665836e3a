using System.Diagnostics;
using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CourseNotification.Settings;
using CourseNotification.Storage;
using CourseNotification.Tests.Settings;

namespace CourseNotification.Tests.Infra;

/// <summary>
/// infra/ compiles and lints clean with the Bicep CLI from NuGet (tools/bicep), and the deployment and
/// the code agree: every app setting of every options class the hosts bind is in the README and is set by
/// Bicep unless it is deliberately left to its default (<see cref="LeftToDefault"/>), every setting Bicep
/// sets is read by the code or the host (a misspelt name is read by nobody), secrets travel only in secure
/// parameters, main.parameters.json fits main.bicep, and the tables and queues match.
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

    /// <summary>
    /// Settings of the options classes that infra deliberately does not set, with the reason: the Function App
    /// runs with the code's default (README, Settings) until someone sets them (a value set only in the portal
    /// lasts until the next provision, which writes the app settings from infra). <c>*</c> stands for any part
    /// of a name. Anything else the code binds must be set by infra, so a setting added to an options class
    /// is either deployed or listed here, never forgotten.
    /// </summary>
    private static readonly Dictionary<string, string> LeftToDefault = new()
    {
        ["Platform__Enabled"] = "on: the platform switch is for an administrator to turn off",
        ["Platform__SendHour"] = "the product's choice (9)",
        ["Platform__QuietHoursStart"] = "the product's choice (20)",
        ["Platform__QuietHoursEnd"] = "the product's choice (8)",
        ["Platform__LearnerRoles"] = "Moodle's default learner role (student)",
        ["Signals__*"] = "every signal's switch and days: the product's defaults, tuned per site or per course",
        ["Digest__*"] = "the trainers' digest: off until a site or a course turns it on",
        ["Email__Acs__ConnectionString"] = "the app sends as its managed identity (Email__Acs__Endpoint): no key",
        ["Email__Acs__StatusTimeout"] = "the product's choice (30 s)",
        ["Email__Smtp__*"] = "Email__Transport is Acs in Azure",
        ["Email__Outbox__*"] = "Email__Transport is Acs in Azure",
        ["Moodle__Url"] = "the pull sync is optional (the plugin pushes); set with Moodle__Token when wanted",
        ["Moodle__Token"] = "the pull sync is optional (the plugin pushes); set with Moodle__Url when wanted",
        ["Moodle__PageSize"] = "the product's choice (500)",
        ["Moodle__SiteTimeZone"] = "Platform__TimeZone, which infra sets",
        ["Moodle__RoleIds"] = "Moodle's default role ids",
        ["Retention__*"] = "three years, a Qualiopi cycle",
        ["AzureWebJobsStorage"] = "a connection string (local use): Azure connects by identity (AzureWebJobsStorage__accountName)",
        ["AzureWebJobsStorage__tableServiceUri"] = "derived from the account name (sovereign clouds, private endpoints)",
        ["AzureWebJobsStorage__queueServiceUri"] = "derived from the account name (sovereign clouds, private endpoints)",
    };

    /// <summary>Settings that are secrets: infra passes them only through @secure() parameters.</summary>
    private static readonly string[] SecretSettings = ["Moodle__WebhookToken", "Moodle__WebhookSecrets", "Access__AdminKey"];

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
    public void Every_setting_the_code_binds_is_set_by_bicep_or_left_to_its_default_on_purpose()
    {
        var deployed = DeployedSettings();
        var missing = CodeSettings().Where(s => !deployed.Contains(s) && !LeftToDefault.Keys.Any(p => Pattern(p).IsMatch(s))).ToList();
        Assert.AreEqual(0, missing.Count, "neither set by infra/main.bicep nor in LeftToDefault with a reason: " + string.Join(", ", missing));
    }

    [TestMethod]
    public void What_is_left_to_its_default_is_read_by_the_code_and_not_set_by_bicep()
    {
        var code = CodeSettings().ToList();
        var deployed = DeployedSettings();
        foreach (var pattern in LeftToDefault.Keys)
        {
            var matched = code.Where(s => Pattern(pattern).IsMatch(s)).ToList();
            Assert.AreNotEqual(0, matched.Count, $"{pattern} in LeftToDefault matches no setting the code binds");
            Assert.AreEqual(0, matched.Count(deployed.Contains), $"{pattern} in LeftToDefault, but infra sets {string.Join(", ", matched.Where(deployed.Contains))}");
        }
    }

    [TestMethod]
    public void Every_setting_the_code_binds_is_in_the_readme_settings()
    {
        var documented = DocumentedSettingPatterns();
        var missing = CodeSettings().Where(s => !documented.Any(p => p.IsMatch(s))).ToList();
        Assert.AreEqual(0, missing.Count, "not in the README's settings: " + string.Join(", ", missing));
    }

    [TestMethod]
    public void The_options_classes_checked_are_every_one_the_services_bind()
    {
        // Found from the registrations of AddCourseNotification (what the hosts bind), so a new options class
        // is checked here without being listed; each must name its section, and none may be left unbound.
        var bound = BoundOptions.All.ToDictionary(o => o.Options, o => o.Section);
        var declared = typeof(AccessOptions).Assembly.GetTypes()
            .Where(t => t.IsClass && t.Name.EndsWith("Options", StringComparison.Ordinal) && t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true })
            .ToList();
        CollectionAssert.AreEquivalent(declared, bound.Keys.ToList(), "options classes with a Section that the services bind");
        Assert.AreEqual(AccessOptions.Section, bound[typeof(AccessOptions)]);
    }

    [TestMethod]
    public void Main_parameters_give_every_parameter_of_main_bicep_a_value_or_a_default_and_nothing_else()
    {
        var parameters = JsonNode.Parse(File.ReadAllText(Path.Combine(RepositoryRoot, "infra", "main.parameters.json")))!["parameters"]!.AsObject();
        var declared = Compiled.Value["parameters"]!.AsObject();
        var unknown = parameters.Select(p => p.Key).Where(k => !declared.ContainsKey(k)).ToList();
        Assert.AreEqual(0, unknown.Count, "in main.parameters.json but not a parameter of main.bicep: " + string.Join(", ", unknown));
        var unset = declared.Where(p => !parameters.ContainsKey(p.Key) && p.Value!["defaultValue"] is null).Select(p => p.Key).ToList();
        Assert.AreEqual(0, unset.Count, "parameters of main.bicep without a default that main.parameters.json does not set: " + string.Join(", ", unset));
        foreach (var secret in declared.Where(p => (string?)p.Value!["type"] is "securestring").Select(p => p.Key))
        {
            Assert.IsFalse(
                parameters.ContainsKey(secret) && !AzdVariable().IsMatch((string)parameters[secret]!["value"]!),
                $"{secret} is secure: main.parameters.json takes it from the azd environment, never a value written there");
        }
    }

    [TestMethod]
    public void The_settings_that_are_secrets_reach_the_function_app_only_through_secure_parameters()
    {
        var appSettings = Compiled.Value["resources"]!["functionApp"]!["properties"]!["parameters"]!["appSettings"]!["value"]!.AsObject();
        var declared = Compiled.Value["parameters"]!.AsObject();
        foreach (var name in SecretSettings)
        {
            var value = (string?)appSettings[name];
            Assert.IsNotNull(value, $"{name} is not set by infra");
            var parameter = ParameterReference().Match(value);
            Assert.IsTrue(parameter.Success, $"{name} comes straight from a parameter ({value})");
            Assert.AreEqual("securestring", (string?)declared[parameter.Groups[1].Value]!["type"], $"{name} comes from a @secure() parameter");
        }
        var module = Compiled.Value["resources"]!["functionApp"]!["properties"]!["template"]!["parameters"]!["appSettings"]!;
        Assert.AreEqual("secureObject", (string?)module["type"], "the Function App module takes its app settings as a secure object, kept out of the deployment's history");
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
        return BoundOptions.All.SelectMany(s => Leaves(s.Section, s.Options)).Concat(StorageSettings);

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

    /// <summary>A setting name where <c>*</c> stands for any part of it.</summary>
    private static Regex Pattern(string name) => new("^" + Regex.Escape(name).Replace(@"\*", "[A-Za-z0-9_]+", StringComparison.Ordinal) + "$", RegexOptions.IgnoreCase);

    [GeneratedRegex(@"^\$\{[A-Z0-9_]+\}$")]
    private static partial Regex AzdVariable();

    [GeneratedRegex(@"^\[parameters\('([A-Za-z0-9]+)'\)\]$")]
    private static partial Regex ParameterReference();

    [GeneratedRegex(@"AccountKey=|accesskey=|listKeys\(", RegexOptions.IgnoreCase)]
    private static partial Regex AccountKeyPattern();
}
