using System.Text.Json;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Moodle;

namespace CourseNotification.Tests.Enrolments;

/// <summary>
/// Every answer of the tests' fake Moodle has the shape (field names and JSON types, recursively) of the answer a
/// real Moodle 4.5 gave in the same situation (Moodle/Real/ws-*.json), with the same people in it: no test can
/// rely on a field the real site does not send.
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed class FakeMoodleShapeTests
{
    public TestContext TestContext { get; set; } = null!;

    /// <summary>Field names and JSON types, recursively; an array is the set of its elements' shapes.</summary>
    internal static string Shape(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject o => "{" + string.Join(",", o.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}:{Shape(p.Value)}")) + "}",
        JsonArray a => "[" + string.Join("|", a.Select(Shape).Distinct().Order(StringComparer.Ordinal)) + "]",
        JsonValue v => v.GetValueKind() switch
        {
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "bool",
            var kind => kind.ToString(),
        },
        _ => throw new NotSupportedException(node.GetType().Name),
    };

    private async Task<JsonNode> CallAsync(FakeMoodleWebService moodle, string function, params (string Name, string Value)[] parameters)
    {
        using var http = new HttpClient();
        var form = new List<KeyValuePair<string, string>> { new("wstoken", FakeMoodleWebService.Token), new("wsfunction", function), new("moodlewsrestformat", "json") };
        form.AddRange(parameters.Select(p => new KeyValuePair<string, string>(p.Name, p.Value)));
        using var response = await http.PostAsync(new Uri(moodle.Url, "webservice/rest/server.php"), new FormUrlEncodedContent(form), TestContext.CancellationToken);
        return JsonNode.Parse(await response.Content.ReadAsStringAsync(TestContext.CancellationToken))!;
    }

    private static async Task<FakeMoodleWebService> HarnessAsync()
    {
        var moodle = await FakeMoodleWebService.StartAsync();
        moodle.SeedHarness(withEve: false);
        return moodle;
    }

    /// <summary>Same people (by id), each with the real one's shape.</summary>
    private static void SameByIds(JsonNode real, JsonNode fake, string what)
    {
        var realById = real.AsArray().ToDictionary(u => u!["id"]!.GetValue<long>());
        var fakeById = fake.AsArray().ToDictionary(u => u!["id"]!.GetValue<long>());
        CollectionAssert.AreEqual(realById.Keys.ToList(), fakeById.Keys.ToList(), $"{what}: the same ids in the same order");
        foreach (var (id, user) in realById)
        {
            Assert.AreEqual(Shape(user), Shape(fakeById[id]), $"{what}: id {id}");
        }
    }

    [TestMethod]
    public async Task Courses_have_the_real_shape()
    {
        await using var moodle = await HarnessAsync();
        SameByIds(RealSamples.Answer("core_course_get_courses"), await CallAsync(moodle, "core_course_get_courses"), "core_course_get_courses");
    }

    [TestMethod]
    public async Task Enrolled_users_have_the_real_shape_and_the_same_people_with_and_without_onlyactive()
    {
        await using var moodle = await HarnessAsync();
        var paging = new[] { ("courseid", "2"), ("options[0][name]", "limitfrom"), ("options[0][value]", "0"), ("options[1][name]", "limitnumber"), ("options[1][value]", "100") };
        SameByIds(RealSamples.Answer("core_enrol_get_enrolled_users"), await CallAsync(moodle, "core_enrol_get_enrolled_users", paging), "enrolled users");
        SameByIds(RealSamples.Answer("core_enrol_get_enrolled_users", "-onlyactive"),
            await CallAsync(moodle, "core_enrol_get_enrolled_users", [.. paging, ("options[2][name]", "onlyactive"), ("options[2][value]", "1")]), "enrolled users, onlyactive");
        var fake = (await CallAsync(moodle, "core_enrol_get_enrolled_users", paging)).AsArray();
        Assert.IsTrue(fake.All(u => u!["lang"] is null && u["timezone"] is null && u["suspended"] is null), "as on the real site: no language, zone or suspension here");
    }

    [TestMethod]
    public async Task Users_by_field_have_the_real_shape()
    {
        await using var moodle = await HarnessAsync();
        SameByIds(RealSamples.Answer("core_user_get_users_by_field"),
            await CallAsync(moodle, "core_user_get_users_by_field", [("field", "id"), .. new long[] { 4, 5, 6, 7, 9, 404 }.Select((id, i) => ($"values[{i}]", id.ToString(System.Globalization.CultureInfo.InvariantCulture)))]),
            "users by field (an unknown id left out)");
    }

    [TestMethod]
    public async Task Completion_status_has_the_real_shape_completed_or_not()
    {
        await using var moodle = await HarnessAsync();
        Assert.AreEqual(Shape(RealSamples.Answer("core_completion_get_course_completion_status", "-alice")),
            Shape(await CallAsync(moodle, "core_completion_get_course_completion_status", ("courseid", "2"), ("userid", "4"))));
        var bob = await CallAsync(moodle, "core_completion_get_course_completion_status", ("courseid", "2"), ("userid", "5"));
        Assert.AreEqual(Shape(RealSamples.Answer("core_completion_get_course_completion_status", "-bob")), Shape(bob));
        Assert.IsFalse(bob["completionstatus"]!["completed"]!.GetValue<bool>());
    }

    [TestMethod]
    public async Task Errors_are_the_real_ones()
    {
        await using var moodle = await HarnessAsync();
        using var http = new HttpClient();
        var badToken = JsonNode.Parse(await (await http.PostAsync(new Uri(moodle.Url, "webservice/rest/server.php"), new FormUrlEncodedContent(
            [new("wstoken", "wrong"), new("wsfunction", "core_course_get_courses"), new("moodlewsrestformat", "json")]), TestContext.CancellationToken)).Content.ReadAsStringAsync(TestContext.CancellationToken));
        Assert.IsTrue(JsonNode.DeepEquals(RealSamples.Answer("error-bad-token"), badToken), badToken!.ToJsonString());

        // The teacher and the suspended learner: not tracked by completion.
        foreach (var user in new[] { "8", "7" })
        {
            var refused = await CallAsync(moodle, "core_completion_get_course_completion_status", ("courseid", "2"), ("userid", user));
            Assert.IsTrue(JsonNode.DeepEquals(RealSamples.Answer("error-usernotenroled"), refused), refused.ToJsonString());
        }
        Assert.IsTrue(JsonNode.DeepEquals(RealSamples.Answer("error-unknown-function"), await CallAsync(moodle, "local_coursenotification_get_course_state", ("courseid", "2"))), "plugin absent");
        moodle.PluginInstalled = true;
        moodle.PluginInService = false;
        Assert.IsTrue(JsonNode.DeepEquals(RealSamples.Answer("error-not-in-service"), await CallAsync(moodle, "local_coursenotification_get_course_state", ("courseid", "2"))), "not in the token's service");

        // Completion off: the real message of Moodle 4.5 (lang/en/error.php cannotviewreport), the form of the captured errors.
        moodle.Courses[0] = moodle.Courses[0] with { CompletionEnabled = false };
        var off = await CallAsync(moodle, "core_completion_get_course_completion_status", ("courseid", "2"), ("userid", "4"));
        Assert.AreEqual(Shape(RealSamples.Answer("error-usernotenroled")), Shape(off));
        Assert.AreEqual(("cannotviewreport", RealSamples.Answer("error-usernotenroled")["exception"]!.GetValue<string>()), (off["errorcode"]!.GetValue<string>(), off["exception"]!.GetValue<string>()));
    }

    [TestMethod]
    public async Task The_plugins_course_state_has_the_real_shape()
    {
        await using var moodle = await HarnessAsync();
        moodle.PluginInstalled = true;
        var fake = await CallAsync(moodle, "local_coursenotification_get_course_state", ("courseid", "2"), ("page", "0"), ("perpage", "3"));
        Assert.AreEqual(Shape(RealSamples.Answer("local_coursenotification_get_course_state")), Shape(fake));
        Assert.AreEqual((5, true, 3), (fake["total"]!.GetValue<int>(), fake["hasmore"]!.GetValue<bool>(), fake["enrolments"]!.AsArray().Count));
    }

    [TestMethod]
    public void The_sync_tells_a_missing_plugin_function_from_the_real_errors_only()
    {
        static bool Unavailable(string sample)
        {
            var error = RealSamples.Answer(sample);
            return CourseNotification.Enrolments.MoodleSync.IsUnavailableFunction(new CourseNotification.Enrolments.MoodleWebServiceException(
                CourseNotification.Enrolments.MoodleSync.CourseStateFunction, error["errorcode"]!.GetValue<string>(), error["message"]!.GetValue<string>()));
        }
        Assert.IsTrue(Unavailable("error-unknown-function"), "no plugin declares it");
        Assert.IsTrue(Unavailable("error-not-in-service"), "not in the token's service");
        Assert.IsFalse(Unavailable("error-bad-token"));
        Assert.IsFalse(Unavailable("error-usernotenroled"));
        Assert.IsFalse(Unavailable("error-nocriteriaset"));
    }
}
