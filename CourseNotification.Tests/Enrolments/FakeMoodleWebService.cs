using System.Globalization;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Moodle;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace CourseNotification.Tests.Enrolments;

/// <summary>A course of the fake site (Unix seconds, 0 = none, as Moodle stores them).</summary>
internal sealed record FakeCourse(long Id, string ShortName, string FullName, long StartDate = 0, long EndDate = 0, bool Visible = true, bool CompletionEnabled = true, string Format = "topics");

/// <summary>A person of the fake site: <see cref="TimeZone"/> as Moodle stores it ("99" = the site's).</summary>
internal sealed record FakeUser(long Id, string Username, string FirstName = "Test", string LastName = "User", string Lang = "en", string TimeZone = "99", bool Suspended = false, long FirstAccess = 0, long LastAccess = 0)
{
    public string Email { get; init; } = $"{Username}@example.com";
}

/// <summary>A user_enrolments row with the person's role in the course and last access to it: <see cref="Status"/> 1 = suspended.</summary>
internal sealed record FakeEnrolment(long Id, long CourseId, long UserId, string Role = "student", int Status = 0, long TimeStart = 0, long TimeEnd = 0, long LastCourseAccess = 0, long TimeCreated = 0);

/// <summary>
/// A loopback Moodle 4.5 answering <c>/webservice/rest/server.php</c> (form fields wstoken, wsfunction,
/// moodlewsrestformat) from an in-memory site, exactly as the real one answers: each answer is a real captured
/// answer (<c>Moodle/Real/ws-*.json</c>) with the site's values put in, so it has the same fields and the same
/// omissions (no language, zone or suspension in the enrolled users; <c>enrolledcourses</c> only for people with
/// an active enrolment), and the same errors (HTTP 200 with exception, errorcode, message). FakeMoodleShapeTests
/// compare every answer with the real one.
/// </summary>
internal sealed class FakeMoodleWebService : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeMoodleWebService(WebApplication app) => _app = app;

    public const string Token = "ws-token-123";

    public Uri Url => new(_app.Urls.First());

    /// <summary>Moodle's clock: who is active (onlyactive) depends on it.</summary>
    public DateTimeOffset Now { get; set; } = DateTimeOffset.UtcNow;

    public List<FakeCourse> Courses { get; } = [];

    public Dictionary<long, FakeUser> Users { get; } = [];

    public List<FakeEnrolment> Enrolments { get; } = [];

    /// <summary>(course, user) -> completion time, for the completed ones.</summary>
    public Dictionary<(long, long), long> Completed { get; } = [];

    /// <summary>Courses whose enrolled users answer an error (the token's user may not view participants there).</summary>
    public HashSet<long> Broken { get; } = [];

    /// <summary>Whether the token's user has moodle/course:update: without it, courses come without visible, lang, enablecompletion and timecreated.</summary>
    public bool CanUpdateCourses { get; set; } = true;

    /// <summary>Whether local_coursenotification is installed (its function exists).</summary>
    public bool PluginInstalled { get; set; }

    /// <summary>Whether the token's service holds the plugin's function (when it is installed).</summary>
    public bool PluginInService { get; set; } = true;

    /// <summary>The site's zone ($CFG->timezone), what "99" means.</summary>
    public string SiteTimeZone { get; set; } = "Europe/London";

    public List<string> Calls { get; } = [];

    public static async Task<FakeMoodleWebService> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var site = new FakeMoodleWebService(app);
        app.MapPost("/webservice/rest/server.php", async (HttpRequest request) => Results.Text((await site.AnswerAsync(request)).ToJsonString(), "application/json"));
        await app.StartAsync();
        return site;
    }

    /// <summary>
    /// The site the real samples were captured on (Moodle/Real/scenario.json): course 2 "HC-01" with completion;
    /// alice (fr, Paris, completed), bob (en, Montreal, came), chloe (fr, Montreal, starts in 3 days), dave (en,
    /// Paris, enrolment suspended), tess (teacher), and eve (en, zone "99") enrolled when <paramref name="withEve"/>
    /// (she was unenrolled before the capture). Moodle's clock is the capture's. Every id is the real one plus
    /// <paramref name="offset"/> (tests sharing one storage use their own ids).
    /// </summary>
    public void SeedHarness(bool withEve, long offset = 0)
    {
        var scenario = RealSamples.Json("scenario.json");
        Now = DateTimeOffset.FromUnixTimeSeconds(scenario["now"]!.GetValue<long>() + 8);
        var course = scenario["course"]!;
        Courses.Add(new FakeCourse(course["id"]!.GetValue<long>() + offset, "HC-01", "Harness course 01", course["startdate"]!.GetValue<long>(), course["enddate"]!.GetValue<long>()));
        var listed = RealSamples.Answer("core_enrol_get_enrolled_users").AsArray().ToDictionary(u => u!["id"]!.GetValue<long>() + offset, u => u!["lastcourseaccess"]!.GetValue<long>());
        foreach (var user in RealSamples.Answer("core_user_get_users_by_field").AsArray())
        {
            var u = user!;
            Users[u["id"]!.GetValue<long>() + offset] = new FakeUser(
                u["id"]!.GetValue<long>() + offset, u["username"]!.GetValue<string>(), u["firstname"]!.GetValue<string>(), u["lastname"]!.GetValue<string>(),
                u["lang"]!.GetValue<string>(), u["timezone"]!.GetValue<string>(), u["suspended"]!.GetValue<bool>(), u["firstaccess"]!.GetValue<long>(), u["lastaccess"]!.GetValue<long>());
        }
        var teacher = scenario["users"]!["tess"]!;
        Users[teacher["id"]!.GetValue<long>() + offset] = new FakeUser(teacher["id"]!.GetValue<long>() + offset, "tess01", "Tess", "Durand", "fr", "Europe/Paris");
        foreach (var (name, person) in scenario["users"]!.AsObject())
        {
            var ue = person!["ue"]!;
            if (ue["deleted"]!.GetValue<bool>() && !(withEve && name == "eve"))
            {
                continue;
            }
            var userId = person["id"]!.GetValue<long>() + offset;
            Enrolments.Add(new FakeEnrolment(
                ue["id"]!.GetValue<long>() + offset, Courses[0].Id, userId, person["role"]!.GetValue<string>(), ue["status"]!.GetValue<int>(),
                ue["timestart"]!.GetValue<long>(), ue["timeend"]!.GetValue<long>(), listed.GetValueOrDefault(userId), scenario["now"]!.GetValue<long>()));
        }
        Completed[(Courses[0].Id, scenario["users"]!["alice"]!["id"]!.GetValue<long>() + offset)] = scenario["completed"]!["timecompleted"]!.GetValue<long>();
    }

    private async Task<JsonNode> AnswerAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var function = form["wsfunction"].ToString();
        lock (Calls)
        {
            Calls.Add(function);
        }
        if (form["wstoken"] != Token)
        {
            return Error(@"core\exception\moodle_exception", "invalidtoken", "Invalid token - token not found");
        }
        lock (Calls)
        {
            return function switch
            {
                "core_course_get_courses" => new JsonArray([.. Courses.Select(CourseAnswer)]),
                "core_enrol_get_enrolled_users" => EnrolledUsers(form),
                "core_user_get_users_by_field" => UsersByField(form),
                "core_completion_get_course_completion_status" => CompletionStatus(Long(form, "courseid"), Long(form, "userid")),
                "local_coursenotification_get_course_state" when PluginInstalled && PluginInService => CourseState(form),
                "local_coursenotification_get_course_state" when PluginInstalled => Error("webservice_access_exception", "accessexception", "Access control exception"),
                _ => Error("dml_missing_record_exception", "invalidrecord", "Can't find data record in database table external_functions."),
            };
        }
    }

    private static long Long(IFormCollection form, string name) => long.Parse(form[name]!, CultureInfo.InvariantCulture);

    private static JsonObject Template(string function, int index = 0, string suffix = "") =>
        RealSamples.Answer(function, suffix).AsArray()[index]!.DeepClone().AsObject();

    private JsonNode CourseAnswer(FakeCourse c)
    {
        var course = Template("core_course_get_courses");
        course["id"] = c.Id;
        course["shortname"] = c.ShortName;
        course["fullname"] = c.FullName;
        course["displayname"] = c.FullName;
        course["idnumber"] = c.ShortName;
        course["format"] = c.Format;
        course["startdate"] = c.StartDate;
        course["enddate"] = c.EndDate;
        course["visible"] = c.Visible ? 1 : 0;
        course["enablecompletion"] = c.CompletionEnabled ? 1 : 0;
        if (!CanUpdateCourses)
        {
            foreach (var field in new[] { "visible", "lang", "enablecompletion", "timecreated" })
            {
                course.Remove(field);
            }
        }
        return course;
    }

    /// <summary>Active as Moodle's onlyactive means it: the enrolment is not suspended and now is within its dates.</summary>
    private bool IsActive(FakeEnrolment e) =>
        e.Status == 0 && e.TimeStart < Now.ToUnixTimeSeconds() && (e.TimeEnd == 0 || e.TimeEnd > Now.ToUnixTimeSeconds());

    private JsonNode EnrolledUsers(IFormCollection form)
    {
        var courseId = Long(form, "courseid");
        if (Broken.Contains(courseId))
        {
            return Error(@"core\exception\required_capability_exception", "nopermissions", "Sorry, but you do not currently have permissions to do that (View participants).");
        }
        var options = new Dictionary<string, long>();
        for (var i = 0; form.ContainsKey($"options[{i}][name]"); i++)
        {
            options[form[$"options[{i}][name]"].ToString()] = long.Parse(form[$"options[{i}][value]"]!, CultureInfo.InvariantCulture);
        }
        var onlyActive = options.GetValueOrDefault("onlyactive") == 1;
        var users = Enrolments.Where(e => e.CourseId == courseId && (!onlyActive || IsActive(e)))
            .GroupBy(e => e.UserId).OrderBy(g => g.Key)
            .Skip((int)options.GetValueOrDefault("limitfrom")).Take(options.TryGetValue("limitnumber", out var n) && n > 0 ? (int)n : int.MaxValue);
        var answer = new JsonArray();
        foreach (var rows in users)
        {
            var person = Users[rows.Key];
            var user = Template("core_enrol_get_enrolled_users");
            user["id"] = person.Id;
            user["username"] = person.Username;
            user["firstname"] = person.FirstName;
            user["lastname"] = person.LastName;
            user["fullname"] = $"{person.FirstName} {person.LastName}";
            user["email"] = person.Email;
            user["idnumber"] = $"EMP-{person.Username}";
            user["firstaccess"] = person.FirstAccess;
            user["lastaccess"] = person.LastAccess;
            user["lastcourseaccess"] = rows.Max(r => r.LastCourseAccess);
            user["roles"] = new JsonArray([.. rows.Select(r => r.Role).Distinct().Select(role => (JsonNode)new JsonObject
            {
                ["roleid"] = role == "student" ? 5 : 3, ["name"] = "", ["shortname"] = role, ["sortorder"] = 0,
            })]);
            // Moodle lists here the courses where the person has an active enrolment, and leaves the field out when there is none.
            var active = Enrolments.Where(e => e.UserId == person.Id && IsActive(e)).Select(e => e.CourseId).Distinct().ToList();
            if (active.Count == 0)
            {
                user.Remove("enrolledcourses");
            }
            else
            {
                user["enrolledcourses"] = new JsonArray([.. active.Select(id => Courses.Single(c => c.Id == id)).Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = c.Id, ["fullname"] = c.FullName, ["shortname"] = c.ShortName,
                })]);
            }
            answer.Add(user);
        }
        return answer;
    }

    private JsonNode UsersByField(IFormCollection form)
    {
        if (form["field"] != "id")
        {
            return Error("invalid_parameter_exception", "invalidparameter", "Invalid parameter value detected");
        }
        var answer = new JsonArray();
        for (var i = 0; form.ContainsKey($"values[{i}]"); i++)
        {
            if (!Users.TryGetValue(Long(form, $"values[{i}]"), out var person))
            {
                continue; // Moodle leaves out the ids it does not know.
            }
            var user = Template("core_user_get_users_by_field");
            user["id"] = person.Id;
            user["username"] = person.Username;
            user["firstname"] = person.FirstName;
            user["lastname"] = person.LastName;
            user["fullname"] = $"{person.FirstName} {person.LastName}";
            user["email"] = person.Email;
            user["idnumber"] = $"EMP-{person.Username}";
            user["firstaccess"] = person.FirstAccess;
            user["lastaccess"] = person.LastAccess;
            user["suspended"] = person.Suspended;
            user["lang"] = person.Lang;
            user["timezone"] = person.TimeZone;
            answer.Add(user);
        }
        return answer;
    }

    private JsonNode CompletionStatus(long courseId, long userId)
    {
        if (Courses.SingleOrDefault(c => c.Id == courseId) is not { CompletionEnabled: true })
        {
            return Error(@"core\exception\moodle_exception", "cannotviewreport", "You cannot view this report");
        }
        // Tracked: an active enrolment and a role in the completion reports (students).
        if (!Enrolments.Any(e => e.CourseId == courseId && e.UserId == userId && IsActive(e) && e.Role == "student"))
        {
            return Error(@"core\exception\moodle_exception", "usernotenroled", "User is not enrolled in this course");
        }
        var done = Completed.TryGetValue((courseId, userId), out var at);
        var answer = RealSamples.Answer("core_completion_get_course_completion_status", done ? "-alice" : "-bob").DeepClone();
        var criterion = answer["completionstatus"]!["completions"]![0]!;
        criterion["timecompleted"] = done ? at : null;
        return answer;
    }

    private JsonObject CourseState(IFormCollection form)
    {
        var courseId = Long(form, "courseid");
        var page = (int)Long(form, "page");
        var perPage = (int)Long(form, "perpage");
        var sample = RealSamples.Answer("local_coursenotification_get_course_state");
        var c = Courses.Single(x => x.Id == courseId);
        var course = sample["course"]!.DeepClone();
        course["id"] = c.Id;
        course["shortName"] = c.ShortName;
        course["fullName"] = c.FullName;
        course["idNumber"] = c.ShortName;
        course["url"] = $"{Url}course/view.php?id={c.Id}";
        course["startDate"] = c.StartDate;
        course["endDate"] = c.EndDate;
        course["visible"] = c.Visible;
        course["enableCompletion"] = c.CompletionEnabled;
        var all = Enrolments.Where(e => e.CourseId == courseId).OrderBy(e => e.Id).ToList();
        var rows = all.Skip(page * perPage).Take(perPage).ToList();
        var enrolments = new JsonArray();
        foreach (var e in rows)
        {
            var row = sample["enrolments"]![0]!.DeepClone();
            row["id"] = e.Id;
            row["courseId"] = e.CourseId;
            row["learnerId"] = e.UserId;
            row["status"] = e.Status == 0 ? "active" : "suspended";
            row["userSuspended"] = e.Status == 1;
            row["start"] = e.TimeStart;
            row["end"] = e.TimeEnd;
            row["timeCreated"] = e.TimeCreated;
            row["timeModified"] = e.TimeCreated;
            row["roles"] = new JsonArray(e.Role);
            row["lastAccess"] = e.LastCourseAccess;
            row["completedAt"] = Completed.GetValueOrDefault((e.CourseId, e.UserId));
            enrolments.Add(row);
        }
        var learners = new JsonArray();
        foreach (var person in rows.Select(r => Users[r.UserId]).DistinctBy(u => u.Id))
        {
            var learner = sample["learners"]![0]!.DeepClone();
            learner["id"] = person.Id;
            learner["username"] = person.Username;
            learner["email"] = person.Email;
            learner["firstName"] = person.FirstName;
            learner["lastName"] = person.LastName;
            learner["idNumber"] = $"EMP-{person.Username}";
            learner["lang"] = person.Lang;
            learner["timeZone"] = person.TimeZone == "99" ? SiteTimeZone : person.TimeZone;
            learner["timeZoneSetting"] = person.TimeZone;
            learner["suspended"] = person.Suspended;
            learner["firstAccess"] = person.FirstAccess;
            learner["lastAccess"] = person.LastAccess;
            learner["lastLogin"] = person.LastAccess;
            learners.Add(learner);
        }
        return new JsonObject
        {
            ["course"] = course, ["learners"] = learners, ["enrolments"] = enrolments,
            ["page"] = page, ["perpage"] = perPage, ["total"] = all.Count, ["hasmore"] = (page + 1) * perPage < all.Count,
            ["sitetimezone"] = SiteTimeZone,
        };
    }

    private static JsonObject Error(string exception, string code, string message) =>
        new() { ["exception"] = exception, ["errorcode"] = code, ["message"] = message };

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
