using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Azure.Data.Tables;
using CourseNotification.Cli.Hosting;
using CourseNotification.Cli.Local;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using CsCheck;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Security;

/// <summary>
/// Every HTTP route of the OpenAPI description, fed generated malformed, oversized, deeply nested, wrongly
/// typed and boundary inputs (CsCheck generators, a fixed seed, the failing request printed): never a 5xx,
/// never a stack trace or internal detail in the answer, and a refused request (4xx) changes nothing in
/// storage. Runs on its own Azurite so that the storage it watches is its own.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed partial class HttpFuzzTests
{
    /// <summary>The seed (FUZZ_SEED explores elsewhere); a failure prints the one that reproduces it.</summary>
    private static readonly string Seed = Environment.GetEnvironmentVariable("FUZZ_SEED") ?? "0N0XIzNsQ0O2";

    /// <summary>Requests per run in CI; FUZZ_ITERATIONS asks for more.</summary>
    private static readonly int Iterations = int.TryParse(Environment.GetEnvironmentVariable("FUZZ_ITERATIONS"), out var n) ? n : 2000;

    /// <summary>The tables a refused request must leave exactly as they were (quota, health, webhook ids and the signing key are bookkeeping).</summary>
    private static readonly string[] Watched =
    [
        StorageNames.CoursesTable, StorageNames.LearnersTable, StorageNames.SnapshotsTable, StorageNames.LearnerCoursesTable, StorageNames.LedgerTable,
        StorageNames.CourseSettingsTable, StorageNames.QuestionnairesTable, StorageNames.InvitationsTable, StorageNames.AnswersTable,
    ];

    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task No_route_answers_5xx_leaks_internals_or_writes_part_of_a_refused_request()
    {
        await using var azurite = await AzuriteServer.StartAsync();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Email:Transport"] = "Outbox",
            ["Email:Outbox:Directory"] = Path.Combine(Path.GetTempPath(), "fuzz-outbox-" + Guid.NewGuid().ToString("N")),
            ["Logging:LogLevel:Default"] = "Warning",
        }).Build();
        // Azure's limits too: a request Azure Storage would refuse must be a 4xx naming the field, not a 500.
        await using var app = ServeHost.Build(configuration, TimeProvider.System, "http://127.0.0.1:0", runWorkers: false, quietLogs: true,
            services: services => services.AddSingleton(AzureLimits.PolicyFor(azurite.ConnectionString)));
        await app.StartAsync(TestContext.CancellationToken);
        using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(30) };
        await SeedAsync(http);
        var storage = new TableServiceClient(azurite.ConnectionString);
        var routes = Routes();
        Assert.IsTrue(routes.Count >= 25, $"every route of openapi.json: {routes.Count}");

        var counts = new Dictionary<int, int>();
        var covered = new HashSet<string>();
        // The whole run is drawn from the seed at once, so the same seed replays the same requests in the same order.
        var requests = Check.Single(Request(routes).Array[Iterations], _ => true, Seed);
        for (var i = 0; i < requests.Length; i++)
        {
            var request = requests[i];
            var failure = $"request {i} of seed {Seed}: {request}";
            var before = request.Method == "GET" ? null : await DigestAsync(storage);
            using var message = request.ToMessage();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, TestContext.CancellationToken);
            }
            catch (HttpRequestException e)
            {
                throw new AssertFailedException($"no answer to {failure}: {e.Message}", e);
            }
            var status = (int)response.StatusCode;
            var body = await response.Content.ReadAsStringAsync(TestContext.CancellationToken);
            response.Dispose();
            counts[status / 100] = counts.GetValueOrDefault(status / 100) + 1;
            covered.Add(request.Route);
            Assert.IsTrue(status < 500, $"{status} for {failure}\n{Cut(body)}");
            Assert.IsFalse(Internals().IsMatch(body), $"internal detail in the answer to {failure}:\n{Cut(body)}");
            if (status >= 400 && before is not null)
            {
                Assert.AreEqual(before, await DigestAsync(storage), $"{status} for {failure}, but storage changed");
            }
        }

        TestContext.WriteLine($"{Iterations} requests over {covered.Count} routes: " + string.Join(", ", counts.OrderBy(c => c.Key).Select(c => $"{c.Key}xx {c.Value}")));
        Assert.AreEqual(routes.Select(r => r.Key).Distinct().Count(), covered.Count, "every route was called");
    }

    /// <summary>A generated request: method, route template, the path it became, content type and body.</summary>
    internal sealed record FuzzRequest(string Method, string Route, string Path, string? ContentType, string? Body, bool Latin1 = false, (string Name, string Value)[]? Headers = null)
    {
        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Method), Path.TrimStart('/'));
            foreach (var (name, value) in Headers ?? [])
            {
                message.Headers.TryAddWithoutValidation(name, value);
            }
            if (Body is not null)
            {
                // Latin-1 bytes are invalid UTF-8 wherever the text has an accent.
                message.Content = new ByteArrayContent((Latin1 ? Encoding.Latin1 : Encoding.UTF8).GetBytes(Body));
                // As a careful client does with a big body: the server may refuse it before it is sent.
                message.Headers.ExpectContinue = Body.Length > 64 * 1024;
                if (ContentType is not null)
                {
                    message.Content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
                }
            }
            return message;
        }

        public override string ToString() =>
            $"{Method} {Path} [{ContentType ?? "no content type"}{(Latin1 ? ", Latin-1 bytes" : "")}] {string.Join(" ", (Headers ?? []).Select(h => $"{h.Name}: {Cut(h.Value)}"))} {(Body is null ? "no body" : Cut(Body))}";
    }

    /// <summary>A little real data first, so routes that find something have something to find.</summary>
    private async Task SeedAsync(HttpClient http)
    {
        var seeded = await http.PutAsync("api/snapshots", new StringContent("""
            {"courses":[{"id":1,"fullName":"Cours <b>témoin</b>","startDate":"2030-01-06T00:00:00+01:00"}],
             "learners":[{"id":2,"email":"temoin@example.org","firstName":"Zoé","lastName":"Témoin","lang":"fr"}],
             "enrolments":[{"id":3,"courseId":1,"learnerId":2,"start":1893884400}]}
            """, Encoding.UTF8, "application/json"), TestContext.CancellationToken);
        seeded.EnsureSuccessStatusCode();
        (await http.PutAsync("api/courses/1/settings", new StringContent("""{"campaigns":[{"id":"hot"}]}""", Encoding.UTF8, "application/json"), TestContext.CancellationToken)).EnsureSuccessStatusCode();
    }

    /// <summary>Method and path template of every route in openapi.json.</summary>
    private static List<KeyValuePair<string, string>> Routes()
    {
        using var stream = typeof(CourseNotification.Http.ApiEndpoints).Assembly.GetManifestResourceStream("CourseNotification.Http.openapi.json")!;
        var paths = JsonNode.Parse(stream)!["paths"]!.AsObject();
        return [.. paths.SelectMany(p => p.Value!.AsObject().Select(m => new KeyValuePair<string, string>(p.Key + " " + m.Key.ToUpperInvariant(), p.Key)))];
    }

    private static Gen<FuzzRequest> Request(List<KeyValuePair<string, string>> routes) =>
        from route in Gen.OneOf([.. routes])
        from path in PathOf(route.Value)
        from query in Query
        from content in Content
        from latin1 in Gen.Int[0, 15].Select(i => i == 0)
        from headers in Headers
        let method = route.Key[(route.Key.LastIndexOf(' ') + 1)..]
        let hasBody = method is not ("GET" or "DELETE")
        select new FuzzRequest(method, route.Key, path + query, hasBody ? content.Type : null, hasBody ? content.Body : null, hasBody && latin1, headers);

    /// <summary>The template with each parameter replaced: plausible, boundary or hostile.</summary>
    private static Gen<string> PathOf(string template)
    {
        var parameters = Regex.Matches(template, "{([^}]+)}").Select(m => m.Value).ToList();
        return Gen.Select(Segment.Array[parameters.Count], values =>
        {
            var path = template;
            for (var i = 0; i < parameters.Count; i++)
            {
                path = path.Replace(parameters[i], Uri.EscapeDataString(values[i]), StringComparison.Ordinal);
            }
            return path;
        });
    }

    private static readonly Gen<string> Hostile = Gen.OneOf(
        "", " ", "0", "-1", "1", "2", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "1e400", "NaN", "null", "true", "[]", "{}",
        "<script>alert(1)</script>", "{{> layout}}", "{{#each this}}{{@key}}{{/each}}", "../../etc/passwd", "%00", "\u0000", "é\u202Eabc", "🙂",
        "welcome", "questionnaire:hot", "questionnaire:hot:reminder1", "qualiopi-hot", "hot", "2030-02-30", "2031-03-01", "AAAAAAAAAAAAAAAAAAAAAA", "2.x",
        "hot\n", "abc\n", "0001-01-01", "9999-12-31T23:59:59Z", "99999999999999", "253402300800", "-62135596800", "Mallory <x@evil.example>", "a@b.c\r\nBcc: x@evil.example");

    private static readonly Gen<string> Segment = Gen.Frequency(
        (6, Hostile),
        (2, Gen.String),
        (1, Gen.Long.Select(v => v.ToString(CultureInfo.InvariantCulture))),
        (1, Gen.Int[1, 3000].Select(length => new string('9', length))));

    private static readonly Gen<string> Query = Gen.Frequency(
        (3, Gen.Const("")),
        (5, Gen.Select(
            Gen.OneOf("at", "from", "to", "courses", "courseId", "state", "initial", "page", "pageSize", "format", "lang", "campaign", "questionnaire", "code", "x").Array[1, 4],
            Segment.Array[4],
            (names, values) => "?" + string.Join('&', names.Select((name, i) => $"{name}={Uri.EscapeDataString(values[i])}")))));

    private static readonly Gen<string> Field = Gen.Frequency(
        (5, Gen.OneOf(
            "courses", "learners", "enrolments", "id", "courseId", "learnerId", "email", "lang", "timeZone", "start", "end", "status", "roles", "completedAt",
            "eventname", "relateduserid", "userid", "timecreated", "other", "token", "type", "event", "created", "campaigns", "questionnaire", "trigger", "reminderDays",
            "templates", "signals", "enabled", "firstCallDays", "questions", "label", "title", "choices", "fr", "en", "subject", "html", "text", "kind", "anonymous")),
        (1, Gen.String));

    private static readonly Gen<JsonNode?> Scalar = Gen.Frequency(
        (1, Gen.Const(() => (JsonNode?)null)),
        (1, Gen.Bool.Select(b => (JsonNode?)JsonValue.Create(b))),
        (2, Gen.Long.Select(v => (JsonNode?)JsonValue.Create(v))),
        (1, Gen.Double.Select(v => double.IsFinite(v) ? (JsonNode?)JsonValue.Create(v) : null)),
        (3, Hostile.Select(v => (JsonNode?)JsonValue.Create(v))),
        (1, Gen.String.Select(v => (JsonNode?)JsonValue.Create(v))));

    /// <summary>JSON of any shape, with the field names the routes read, nested up to a few levels.</summary>
    private static readonly Gen<JsonNode?> Json = Gen.Recursive<JsonNode?>((depth, inner) => depth >= 4
        ? Scalar
        : Gen.Frequency(
            (4, Scalar),
            (2, inner.Array[0, 4].Select(items => (JsonNode?)new JsonArray([.. items]))),
            (3, Gen.Select(Field.Array[0, 5], inner.Array[5], (names, values) =>
            {
                var o = new JsonObject();
                for (var i = 0; i < names.Length; i++)
                {
                    o[names[i]] = values[i];
                }
                return (JsonNode?)o;
            }))));

    private static readonly Gen<(string? Type, string Body)> Content = Gen.Frequency(
        (6, Json.Select(j => ((string?)"application/json", j?.ToJsonString() ?? "null"))),
        (1, Gen.Int[100, 2000].Select(depth => ((string?)"application/json", new string('[', depth) + new string(']', depth)))),
        (1, Gen.Int[1, 3].Select(mb => ((string?)"application/json", "{\"courses\":[" + string.Join(',', Enumerable.Repeat("{\"id\":1}", mb * 120_000)) + "]}"))),
        (2, Gen.Select(Field.Array[0, 6], Segment.Array[6], (names, values) =>
            ((string?)"application/x-www-form-urlencoded", string.Join('&', names.Select((name, i) => $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(values[i])}"))))),
        (1, Gen.String.Select(s => ((string?)"text/csv", "course id;user id\n" + s))),
        (1, Segment.Array[3].Select(v => ((string?)"text/csv", $"course id;user id;email;enrolment start;enrolment end\n{v[0]};{v[1]};x@example.org;{v[2]};10000-01-01\n"))),
        (1, Gen.Select(Field, Segment, Segment, (name, a, b) => ((string?)"application/json", $"{{\"{name}\":\"{a}\",\"{name}\":\"{b}\",\"token\":\"t\",\"token\":1}}"))),
        (1, Gen.OneOf<string?>(null, "text/plain", "multipart/form-data", "application/json; charset=latin1", "application/xml").Select(Gen.String, (type, body) => (type, body))));

    /// <summary>Mostly none; sometimes Standard Webhooks headers with hostile values (a timestamp past year 9999, an id of thousands of characters).</summary>
    private static readonly Gen<(string Name, string Value)[]> Headers = Gen.Frequency(
        (5, Gen.Const(Array.Empty<(string Name, string Value)>())),
        (1, Gen.Select(Segment, Gen.OneOf("99999999999999", "-1", "0", "1893884400", "9223372036854775807", "abc"), Segment,
            (id, timestamp, signature) => new[] { ("webhook-id", Ascii(id)), ("webhook-timestamp", timestamp), ("webhook-signature", "v1," + Ascii(signature)) })));

    /// <summary>What HTTP lets a header carry: printable ASCII.</summary>
    private static string Ascii(string text) => string.Concat(text.Where(c => c is >= ' ' and <= '~'));

    /// <summary>Rows (keys and versions) of the watched tables, as one string.</summary>
    private static async Task<string> DigestAsync(TableServiceClient storage)
    {
        var text = new StringBuilder();
        foreach (var name in Watched)
        {
            await foreach (var row in storage.GetTableClient(name).QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"]))
            {
                text.Append(name).Append('/').Append(row.PartitionKey).Append('/').Append(row.RowKey).Append('/').Append(row.ETag).Append('\n');
            }
        }
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    private static string Cut(string text) => text.Length > 600 ? text[..600] + "…" : text;

    /// <summary>What an answer must never show: a stack trace, an exception's or a .NET type's name.</summary>
    [GeneratedRegex(@"\s+at \w+\.|Exception\b|System\.[A-Z]|Microsoft\.[A-Z]|Azure\.[A-Z]|CourseNotification\.[A-Z]|\.cs:line")]
    private static partial Regex Internals();
}
