using System.Text.Json.Nodes;

namespace CourseNotification.Cli.Demo;

/// <summary>
/// A small invented training organisation (no real person's data): two courses opening on Monday
/// 5 January 2026, learners in Paris, Montreal and Quebec, a teacher, and a learner who already came.
/// </summary>
internal static class DemoOrganisation
{
    public static readonly DateTimeOffset CoursesOpen = new(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));

    /// <summary>The instants the demo scans at: 09:05 in Paris, then 09:05 in Montreal.</summary>
    public static readonly DateTimeOffset[] ScanInstants =
    [
        new(2026, 1, 5, 9, 5, 0, TimeSpan.FromHours(1)),
        new(2026, 1, 5, 9, 5, 0, TimeSpan.FromHours(-5)),
    ];

    /// <summary>Learners who should receive a welcome (the others are a teacher and a learner who already started).</summary>
    public const int ExpectedWelcomes = 3;

    public static JsonObject Snapshots() => new()
    {
        ["courses"] = new JsonArray(
            Course(12, "SST-2026", "Sécurité au travail"),
            Course(13, "SAFE-EN", "Workplace safety essentials")),
        ["learners"] = new JsonArray(
            Learner(501, "jdupont", "Jeanne", "Dupont", "fr", "Europe/Paris"),
            Learner(502, "msmith", "Mark", "Smith", "en", "America/Montreal"),
            Learner(503, "ltremblay", "Léa", "Tremblay", "fr_ca", "America/Toronto"),
            Learner(504, "pmartin", "Paul", "Martin", "fr", "99"),
            Learner(505, "snguyen", "Sophie", "Nguyen", "fr", "Europe/Paris")),
        ["enrolments"] = new JsonArray(
            Enrolment(9001, 12, 501, ["student"], null),
            Enrolment(9002, 13, 502, ["student"], null),
            Enrolment(9004, 12, 504, ["editingteacher"], null),
            Enrolment(9005, 12, 505, ["student"], CoursesOpen.AddHours(8).ToUnixTimeSeconds())),
    };

    /// <summary>Léa arrives the way Moodle tells it: a user_enrolment_created event (no dates, so she starts when it was created).</summary>
    public static JsonObject EnrolmentCreatedEvent() => new()
    {
        ["eventname"] = @"\core\event\user_enrolment_created",
        ["component"] = "core",
        ["action"] = "created",
        ["target"] = "user_enrolment",
        ["objecttable"] = "user_enrolments",
        ["objectid"] = "9003",
        ["crud"] = "c",
        ["edulevel"] = "0",
        ["contextid"] = "87",
        ["contextlevel"] = "50",
        ["contextinstanceid"] = "12",
        ["userid"] = "2",
        ["courseid"] = "12",
        ["relateduserid"] = "503",
        ["anonymous"] = "0",
        ["other"] = new JsonObject { ["enrol"] = "manual" },
        ["timecreated"] = CoursesOpen.AddHours(-20).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    private static JsonObject Course(long id, string shortName, string fullName) => new()
    {
        ["id"] = id,
        ["shortName"] = shortName,
        ["fullName"] = fullName,
        ["url"] = $"https://moodle.example.org/course/view.php?id={id}",
        ["startDate"] = CoursesOpen.ToString("O"),
        ["endDate"] = CoursesOpen.AddDays(60).ToUnixTimeSeconds(),
        ["visible"] = true,
    };

    private static JsonObject Learner(long id, string username, string first, string last, string lang, string zone) => new()
    {
        ["id"] = id,
        ["username"] = username,
        ["email"] = $"{username}@example.org",
        ["firstName"] = first,
        ["lastName"] = last,
        ["lang"] = lang,
        ["timeZone"] = zone,
        ["suspended"] = false,
    };

    private static JsonObject Enrolment(long id, long course, long learner, string[] roles, long? lastAccess) => new()
    {
        ["id"] = id,
        ["courseId"] = course,
        ["learnerId"] = learner,
        ["method"] = "manual",
        ["status"] = "active",
        ["start"] = CoursesOpen.ToUnixTimeSeconds(),
        ["end"] = 0,
        ["roles"] = new JsonArray(roles.Select(r => (JsonNode)r).ToArray()),
        ["lastAccess"] = lastAccess,
    };
}
