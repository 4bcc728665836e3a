using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Moodle;

/// <summary>
/// Every event a stock Moodle 4.5 really fired (Moodle/Real/events.jsonl, on fresh ids: <see cref="RealSite"/>)
/// pushed as a generic event plugin or tool_trigger would: each is accepted, and applied or ignored as a
/// person who knows the scenario (scenario.json) would expect.
/// </summary>
[TestClass]
[TestCategory("storage")]
public sealed class RealEventTests
{
    public TestContext TestContext { get; set; } = null!;

    private static readonly WebhookHeaders Unsigned = new(null, null, null);

    /// <summary>What each kind of captured event does here, and why: every kind in events.jsonl must be listed.</summary>
    private static readonly Dictionary<string, (bool Applied, string Why)> Expected = new()
    {
        [@"\core\event\course_created"] = (false, "a course alone concerns no learner; its names and dates come with the plugin, the sync or the upsert"),
        [@"\core\event\course_section_created"] = (false, "course content"),
        [@"\core\event\enrol_instance_created"] = (false, "an enrolment method, nobody enrolled by it yet"),
        [@"\core\event\course_module_created"] = (false, "course content"),
        [@"\core\event\course_completion_updated"] = (false, "the completion settings edited by the administrator (edulevel 2, but no learner)"),
        [@"\core\event\user_password_updated"] = (false, "nothing a reminder needs"),
        [@"\core\event\user_created"] = (false, "carries no user field (objectid only)"),
        [@"\core\event\user_enrolment_created"] = (true, "the enrolment, with its method and creation time"),
        [@"\core\event\role_assigned"] = (true, "the role in the course"),
        [@"\core\event\role_unassigned"] = (true, "the role taken back"),
        [@"\core\event\notification_sent"] = (false, "Moodle's own messages (completion, the course welcome message)"),
        [@"\core\event\user_enrolment_deleted"] = (true, "the enrolment ended (a tombstone)"),
        [@"\core\event\user_enrolment_updated"] = (false, "says that something changed, not what (suspension and dates look the same)"),
        [@"\core\event\course_viewed"] = (true, "a course access"),
        [@"\core\event\course_completed"] = (true, "the completion"),
        [@"\core\event\course_module_completion_updated"] = (true, "the learner's own activity completion: an access"),
        [@"\core\event\user_loggedin"] = (true, "the last login of a known learner"),
        [@"\mod_page\event\course_module_viewed"] = (true, "an activity opened: a course access"),
    };

    [TestMethod]
    public async Task Every_real_event_is_accepted_and_applied_or_ignored_as_expected_one_by_one()
    {
        var site = RealSite.New();
        await using var core = await CoreServices.StartAsync();
        await KnowThePeopleAsync(core, site);
        var ingest = core.Get<MoodleEventIngest>();

        var events = site.Events();
        CollectionAssert.IsSubsetOf(events.Select(e => e.Name).Distinct().ToList(), Expected.Keys.ToList(), "every kind captured has its expectation");
        foreach (var (name, data) in events)
        {
            var report = await ingest.IngestAsync(data, Encoding.UTF8.GetBytes(data.ToJsonString()), Unsigned, TestContext.CancellationToken);
            Assert.AreEqual((1, Expected[name].Applied ? 1 : 0), (report.Received, report.Applied), $"{name}: {Expected[name].Why}");
        }

        await AssertTheScenarioAsync(core, site);
    }

    [TestMethod]
    public async Task The_whole_capture_in_one_push_over_http_is_accepted_with_its_counts()
    {
        var site = RealSite.New();
        await using var host = await LocalHost.StartAsync();
        await using var core = await CoreServices.StartAsync();
        await KnowThePeopleAsync(core, site);
        var events = site.Events();

        using var response = await host.Http.PostAsync("api/moodle/events", Json(new JsonArray([.. events.Select(e => (JsonNode)e.Data)])), TestContext.CancellationToken);
        var report = (await response.Content.ReadFromJsonAsync<JsonObject>(TestContext.CancellationToken))!;

        Assert.AreEqual(HttpStatusCode.Accepted, response.StatusCode, report.ToJsonString());
        Assert.AreEqual((events.Count, events.Count(e => Expected[e.Name].Applied)), ((int)report["received"]!, (int)report["applied"]!));
        await AssertTheScenarioAsync(core, site);
    }

    [TestMethod]
    public async Task Events_about_no_learner_in_a_course_are_ignored_never_refused_even_in_a_batch()
    {
        var site = RealSite.New();
        await using var core = await CoreServices.StartAsync();
        await KnowThePeopleAsync(core, site);
        var events = site.Events();
        JsonObject First(string name) => events.First(e => e.Name == name).Data.DeepClone().AsObject();

        // A role given in a category (courseid 0), the front page seen by a visitor who is not logged in (userid 0),
        // a login by nobody: real events moved where Moodle fires them too.
        var inCategory = First(@"\core\event\role_assigned");
        (inCategory["courseid"], inCategory["contextlevel"], inCategory["contextinstanceid"]) = (0, 40, "1");
        var frontPage = First(@"\core\event\course_viewed");
        (frontPage["courseid"], frontPage["contextinstanceid"], frontPage["userid"]) = ("1", "1", 0);
        var nobody = First(@"\core\event\user_loggedin");
        nobody["userid"] = "0";
        var bobEnrolled = events.Where(e => e.Name == @"\core\event\user_enrolment_created").Select(e => e.Data.DeepClone().AsObject())
            .Single(e => e["relateduserid"]!.GetValue<string>() == site.Id("bob").ToString(CultureInfo.InvariantCulture));
        var viewed = First(@"\mod_page\event\course_module_viewed");

        var batch = new JsonArray(inCategory, frontPage, bobEnrolled, nobody, viewed);
        var report = await core.Get<MoodleEventIngest>().IngestAsync(batch, Encoding.UTF8.GetBytes(batch.ToJsonString()), Unsigned, TestContext.CancellationToken);

        Assert.AreEqual((5, 2, 3), (report.Received, report.Applied, report.Ignored), "only bob's enrolment and his activity view concern a learner in a course");
        Assert.AreEqual(Time(viewed), (await core.Get<SnapshotStore>().GetAsync(site.Course, site.Id("bob"), TestContext.CancellationToken))!.LastAccess);
    }

    [TestMethod]
    public async Task Tool_triggers_http_post_step_is_understood_as_a_form_and_as_json()
    {
        var site = RealSite.New();
        await using var host = await LocalHost.StartAsync();
        await using var core = await CoreServices.StartAsync();
        await KnowThePeopleAsync(core, site);
        var events = site.Events();
        var snapshots = core.Get<SnapshotStore>();

        // The workflow of the README: one per event, its HTTP Post step with this parameter template.
        var enrolled = events.Where(e => e.Name.EndsWith(@"\user_enrolment_created", StringComparison.Ordinal)).Select(e => e.Data);
        foreach (var data in enrolled)
        {
            // The step's headers, as the README has them: "Content-Type: application/x-www-form-urlencoded".
            using var form = await host.Http.PostAsync("api/moodle/events", new StringContent(ToolTrigger(data, jsonEncode: false), Encoding.UTF8, "application/x-www-form-urlencoded"), TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.Accepted, form.StatusCode, await form.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }
        var bobsViews = events.Where(e => e.Name.EndsWith(@"\course_viewed", StringComparison.Ordinal) || e.Name.StartsWith(@"\mod_", StringComparison.Ordinal)).Select(e => e.Data).ToList();
        var completed = events.Single(e => e.Name.EndsWith(@"\course_completed", StringComparison.Ordinal)).Data;
        var teacherOverride = events.Single(e => e.Name.EndsWith(@"\course_module_completion_updated", StringComparison.Ordinal)).Data.DeepClone().AsObject();
        teacherOverride["other"]!["overrideby"] = 2;
        teacherOverride["timecreated"] = teacherOverride["timecreated"]!.GetValue<long>() + 3600;
        foreach (var data in bobsViews.Append(completed).Append(teacherOverride))
        {
            using var json = await host.Http.PostAsync("api/moodle/events", new StringContent(ToolTrigger(data, jsonEncode: true), Encoding.UTF8, "application/json"), TestContext.CancellationToken);
            Assert.AreEqual(HttpStatusCode.Accepted, json.StatusCode, await json.Content.ReadAsStringAsync(TestContext.CancellationToken));
        }

        var bob = (await snapshots.GetAsync(site.Course, site.Id("bob"), TestContext.CancellationToken))!;
        Assert.AreEqual(site.Enrolment("bob")["id"]!.GetValue<long>(), bob.Enrolments.Single().Id, "the enrolment of the form");
        Assert.AreEqual((Time(bobsViews[0]), Time(bobsViews[^1])), (bob.FirstAccess, bob.LastAccess), "course and activity views are accesses");
        var alice = (await snapshots.GetAsync(site.Course, site.Id("alice"), TestContext.CancellationToken))!;
        Assert.AreEqual(Time(completed), alice.CompletedAt);
        Assert.IsNull(alice.LastAccess, "a teacher's override is not the learner's access");
    }

    /// <summary>
    /// What tool_trigger's HTTP Post step sends for <paramref name="data"/> with the README's parameter template:
    /// each {field} replaced by the event's scalar (other's as other_*; null and false as ""), a field the event
    /// lacks left as {field}; URL-encoded into a form, or, with "JSON encode", parsed as a form and sent as JSON.
    /// </summary>
    private static string ToolTrigger(JsonObject data, bool jsonEncode)
    {
        var fields = new Dictionary<string, string>();
        static string Scalar(JsonNode? node) => node switch
        {
            null => "",
            JsonValue v when v.GetValueKind() == JsonValueKind.True => "1",
            JsonValue v when v.GetValueKind() == JsonValueKind.False => "",
            JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
            JsonValue v => v.ToJsonString(),
            _ => "",
        };
        foreach (var (key, value) in data)
        {
            if (key == "other" && value is JsonObject other)
            {
                foreach (var (otherKey, otherValue) in other.Where(o => o.Value is null or JsonValue))
                {
                    fields[$"other_{otherKey}"] = Scalar(otherValue);
                }
            }
            else if (value is null or JsonValue)
            {
                fields[key] = Scalar(value);
            }
        }
        var template = ToolTriggerTemplate.Replace("YOUR_TOKEN", "", StringComparison.Ordinal);
        var pairs = template.Split('&').Select(pair => pair.Split('=', 2)).Select(pair =>
        {
            var placeholder = pair[1];
            var name = placeholder.Trim('{', '}');
            var value = placeholder.StartsWith('{') && fields.TryGetValue(name, out var found) ? found : placeholder;
            return (pair[0], value);
        }).ToList();
        return jsonEncode
            ? new JsonObject(pairs.Select(p => KeyValuePair.Create(p.Item1, (JsonNode?)JsonValue.Create(p.value)))).ToJsonString()
            : string.Join('&', pairs.Select(p => $"{p.Item1}={WebUtility.UrlEncode(p.value)}"));
    }

    /// <summary>The README's parameter template for the HTTP Post step (its token left empty: no token configured in tests).</summary>
    private const string ToolTriggerTemplate =
        "eventname={eventname}&component={component}&action={action}&target={target}&objecttable={objecttable}&objectid={objectid}"
        + "&crud={crud}&edulevel={edulevel}&contextid={contextid}&contextlevel={contextlevel}&contextinstanceid={contextinstanceid}"
        + "&userid={userid}&courseid={courseid}&relateduserid={relateduserid}&anonymous={anonymous}&timecreated={timecreated}"
        + "&other_enrol={other_enrol}&other_relateduserid={other_relateduserid}&other_overrideby={other_overrideby}"
        + "&other_completionstate={other_completionstate}&token=YOUR_TOKEN";

    private static DateTimeOffset Time(JsonObject data) => DateTimeOffset.FromUnixTimeSeconds(data["timecreated"]!.GetValue<long>());

    private static StringContent Json(JsonNode body) => new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>The course and the people as the plugin, the sync or the upsert made them known before the events.</summary>
    private async Task KnowThePeopleAsync(CoreServices core, RealSite site)
    {
        var learners = new JsonArray([.. RealSite.People.Select(p => (JsonNode)new JsonObject
        {
            ["id"] = site.Id(p), ["username"] = site.Username(p), ["email"] = site.Email(p), ["lang"] = site.Lang(p), ["timeZone"] = site.TimeZone(p),
        })]);
        var report = await core.Get<SnapshotIngest>().UpsertAsync(new JsonObject
        {
            ["courses"] = new JsonArray(new JsonObject { ["id"] = site.Course, ["shortName"] = site.ShortName, ["fullName"] = site.FullName }),
            ["learners"] = learners,
        }, TestContext.CancellationToken);
        Assert.AreEqual(0, report.Rejected.Count);
    }

    /// <summary>The scenario as a person reads it from scenario.json and the order of the events.</summary>
    private async Task AssertTheScenarioAsync(CoreServices core, RealSite site)
    {
        var snapshots = core.Get<SnapshotStore>();
        async Task<EnrolmentSnapshot> Of(string person) => (await snapshots.GetAsync(site.Course, site.Id(person), TestContext.CancellationToken))!;
        var events = site.Events();
        DateTimeOffset At(string name, int index = 0) => Time(events.Where(e => e.Name.EndsWith(name, StringComparison.Ordinal)).ElementAt(index).Data);
        long EnrolmentId(string person) => site.Enrolment(person)["id"]!.GetValue<long>();

        var alice = await Of("alice");
        Assert.AreEqual((EnrolmentId("alice"), "manual", true), (alice.Enrolments.Single().Id, alice.Enrolments.Single().Method, alice.Enrolments.Single().IsActive));
        CollectionAssert.AreEqual(new[] { "student" }, alice.Roles!.ToArray());
        Assert.AreEqual(site.Scenario["completed"]!["timecompleted"]!.GetValue<long>() + 1, alice.CompletedAt!.Value.ToUnixTimeSeconds(), "course_completed fired in the next second");
        Assert.AreEqual(At(@"\course_module_completion_updated"), alice.LastAccess, "her own activity completion");
        Assert.AreEqual(("fr", "Europe/Paris"), (alice.Profile!.Lang, alice.Profile.TimeZone), "the profile stored before the enrolment is copied in");

        var bob = await Of("bob");
        Assert.AreEqual((At(@"\course_viewed", 0), At(@"\course_module_viewed")), (bob.FirstAccess, bob.LastAccess));
        Assert.AreEqual(At(@"\user_loggedin", 0), (await core.Get<LearnerStore>().GetAsync(site.Id("bob"), TestContext.CancellationToken))!.LastLogin);

        var chloe = await Of("chloe");
        Assert.AreEqual((EnrolmentId("chloe"), null, null), (chloe.Enrolments.Single().Id, chloe.FirstAccess, chloe.CompletedAt));

        // user_enrolment_updated does not say that dave was suspended: the sync, the plugin or the CSV import will.
        Assert.AreEqual(EnrolmentId("dave"), (await Of("dave")).Enrolments.Single().Id);
        CollectionAssert.AreEqual(new[] { "editingteacher" }, (await Of("tess")).Roles!.ToArray(), "role id 3");

        var eve = await Of("eve");
        Assert.IsFalse(eve.Enrolments.Single().IsActive, "enrolled then unenrolled");
        Assert.AreEqual(
            (site.Enrolment("eve")["timestart"]!.GetValue<long>(), site.Enrolment("eve")["timeend"]!.GetValue<long>()),
            (eve.Enrolments.Single().Start!.Value.ToUnixTimeSeconds(), eve.Enrolments.Single().End!.Value.ToUnixTimeSeconds()),
            "the dates user_enrolment_deleted carries");
        Assert.AreEqual(0, eve.Roles!.Count, "role unassigned");
    }
}
