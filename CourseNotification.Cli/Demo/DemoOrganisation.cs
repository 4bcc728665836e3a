using System.Globalization;
using System.Text.Json.Nodes;

namespace CourseNotification.Cli.Demo;

/// <summary>
/// An invented training organisation (no real person's data), generated from a fixed seed: four courses
/// in French and English, with and without end dates; a few hundred learners in several time zones, some
/// who never come, some who come once and drift away, some who work steadily and finish; and the Moodle
/// events their weeks produce.
/// </summary>
internal sealed class DemoOrganisation
{
    public static readonly DateTimeOffset FirstDay = new(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1));

    private static readonly string[] FirstNames = ["Camille", "Léa", "Hugo", "Inès", "Louis", "Chloé", "Nathan", "Manon", "Jules", "Sarah", "Karim", "Aïcha", "Tom", "Emma", "Noah", "Jade", "Mark", "Olivia", "Ethan", "Grace"];
    private static readonly string[] LastNames = ["Martin", "Bernard", "Dubois", "Thomas", "Robert", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "Smith", "Brown", "Tremblay", "Gagnon", "Nguyen", "Hoarau"];
    private static readonly (string First, string Last)[] Trainers = [("Alexandre", "Garnier"), ("Sophie", "Lambert"), ("Julien", "Roux"), ("Nadia", "Benali")];
    private static readonly (string Zone, string Lang)[] Places =
    [
        ("Europe/Paris", "fr"), ("Europe/Paris", "fr"), ("Europe/Paris", "fr"), ("Europe/Paris", "fr"), ("99", "fr"),
        ("America/Montreal", "fr_ca"), ("America/Montreal", "en"), ("Indian/Reunion", "fr"), ("Pacific/Noumea", "fr"), ("Europe/London", "en"),
    ];

    private readonly List<(DateTimeOffset At, JsonObject Event)> _events = [];

    public DemoOrganisation(int learners)
    {
        var random = new Random(2026);
        Courses =
        [
            Course(12, "SST-26", "Sécurité au travail", FirstDay, FirstDay.AddDays(60)),
            Course(13, "GP-26", "Gestes et postures", FirstDay.AddDays(7), null),
            Course(14, "SAFE-EN", "Workplace safety essentials", FirstDay, null),
            Course(15, "MGT-26", "Management d'équipe", FirstDay.AddDays(14), FirstDay.AddDays(53)),
        ];
        Learners = [];
        Enrolments = [];
        var courseStarts = new Dictionary<long, DateTimeOffset> { [12] = FirstDay, [13] = FirstDay.AddDays(7), [14] = FirstDay, [15] = FirstDay.AddDays(14) };
        for (var i = 1; i <= learners; i++)
        {
            var id = 1000 + i;
            var (zone, lang) = Places[random.Next(Places.Length)];
            var courseId = lang == "en" ? 14 : new long[] { 12, 13, 15 }[random.Next(3)];
            var first = FirstNames[random.Next(FirstNames.Length)];
            var last = LastNames[random.Next(LastNames.Length)];
            Learners.Add(new JsonObject
            {
                ["id"] = id, ["username"] = $"{first.ToLowerInvariant()[..1]}{last.ToLowerInvariant()}{id}", ["email"] = $"learner{id}@formation.example",
                ["firstName"] = first, ["lastName"] = last, ["lang"] = lang, ["timeZone"] = zone,
            });
            var start = courseStarts[courseId].AddDays(random.Next(0, 4));
            // Gestes et postures gives each learner 45 days; the others follow the course's own end.
            var end = courseId == 13 ? start.AddDays(45) : (DateTimeOffset?)null;
            Enrolments.Add(new JsonObject
            {
                ["id"] = 50_000 + i, ["courseId"] = courseId, ["learnerId"] = id, ["method"] = random.Next(4) == 0 ? "self" : "manual",
                ["status"] = "active", ["start"] = start.ToUnixTimeSeconds(), ["end"] = end?.ToUnixTimeSeconds() ?? 0, ["roles"] = new JsonArray("student"),
            });
            Behave(random, courseId, id, start);
        }
        // One trainer per course: never a learner signal, but the weekly digest. The trainer of
        // "Sécurité au travail" also teaches "Management d'équipe": one digest for both.
        foreach (var (course, (first, last)) in courseStarts.Keys.Zip(Trainers))
        {
            var id = 900 + (int)course;
            Learners.Add(new JsonObject { ["id"] = id, ["email"] = $"trainer{course}@formation.example", ["firstName"] = first, ["lastName"] = last, ["lang"] = course == 14 ? "en" : "fr" });
            Enrolments.Add(new JsonObject { ["id"] = 60_000 + course, ["courseId"] = course, ["learnerId"] = id, ["start"] = courseStarts[course].ToUnixTimeSeconds(), ["roles"] = new JsonArray("editingteacher") });
        }
        Enrolments.Add(new JsonObject { ["id"] = 60_100, ["courseId"] = 15, ["learnerId"] = 912, ["start"] = courseStarts[15].ToUnixTimeSeconds(), ["roles"] = new JsonArray("teacher") });
        _events.Sort((a, b) => a.At.CompareTo(b.At));
    }

    public List<JsonObject> Courses { get; }

    public List<JsonObject> Learners { get; }

    public List<JsonObject> Enrolments { get; }

    public JsonObject Snapshots() => new()
    {
        ["courses"] = new JsonArray([.. Courses.Select(c => (JsonNode)c.DeepClone())]),
        ["learners"] = new JsonArray([.. Learners.Select(l => (JsonNode)l.DeepClone())]),
        ["enrolments"] = new JsonArray([.. Enrolments.Select(e => (JsonNode)e.DeepClone())]),
    };

    /// <summary>The activity of "Workplace safety essentials" whose completion brings its "exam" questionnaire (course module id).</summary>
    public const long ExamActivity = 1401;

    /// <summary>
    /// Each course's questionnaire campaigns (PUT /api/courses/{id}/settings): the hot evaluation on
    /// completion with reminders after 7 and 14 days everywhere; a cold one where access ends, 7 days after
    /// (60 in real life: shortened so the demo's weeks see it); in "Workplace safety essentials", the cold
    /// questionnaire also the day after the final quiz (an activity) is completed.
    /// </summary>
    public IEnumerable<(long CourseId, JsonObject Settings)> CourseSettings() => Courses.Select(course =>
    {
        var campaigns = new JsonArray(new JsonObject { ["id"] = "hot", ["questionnaire"] = "qualiopi-hot", ["trigger"] = "completed", ["reminderDays"] = new JsonArray(7, 14) });
        if (course["endDate"]!.GetValue<long>() != 0)
        {
            campaigns.Add(new JsonObject { ["id"] = "cold", ["questionnaire"] = "qualiopi-cold", ["trigger"] = "accessEnd", ["delayDays"] = 7, ["reminderDays"] = new JsonArray(7) });
        }
        if (course["id"]!.GetValue<long>() == 14)
        {
            campaigns.Add(new JsonObject
            {
                ["id"] = "exam", ["questionnaire"] = "qualiopi-cold", ["trigger"] = "activityCompleted", ["activityId"] = ExamActivity, ["delayDays"] = 1, ["reminderDays"] = new JsonArray(7),
            });
        }
        return (course["id"]!.GetValue<long>(), new JsonObject { ["campaigns"] = campaigns });
    });

    /// <summary>The Moodle events that happen after <paramref name="from"/> up to <paramref name="to"/>.</summary>
    public IEnumerable<JsonObject> EventsBetween(DateTimeOffset from, DateTimeOffset to) =>
        _events.Where(e => e.At > from && e.At <= to).Select(e => e.Event);

    /// <summary>One of four lives: never comes (20%), comes once and drifts away (30%), works steadily and finishes (35%), works but does not finish (15%).</summary>
    private void Behave(Random random, long course, long learner, DateTimeOffset start)
    {
        var kind = random.Next(100);
        if (kind < 20)
        {
            return;
        }
        var day = start.AddDays(random.Next(0, 5)).AddHours(random.Next(9, 19));
        if (kind < 50)
        {
            View(course, learner, day);
            return;
        }
        var visits = kind < 85 ? random.Next(6, 12) : random.Next(2, 5);
        for (var v = 0; v < visits; v++)
        {
            View(course, learner, day);
            if (course == 14 && v == visits / 2)
            {
                // Half-way, the final quiz of the English course, completed by the learner.
                _events.Add((day.AddMinutes(30), ActivityCompleted(course, learner, ExamActivity, day.AddMinutes(30))));
            }
            day = day.AddDays(random.Next(2, 5)).AddHours(random.Next(-2, 3));
        }
        if (kind < 85)
        {
            _events.Add((day, Event("course_completed", course, learner, learner, day)));
        }
    }

    private void View(long course, long learner, DateTimeOffset at) => _events.Add((at, Event("course_viewed", course, learner, 0, at)));

    private static JsonObject Event(string name, long course, long user, long related, DateTimeOffset at) => new()
    {
        ["eventname"] = @"\core\event\" + name,
        ["component"] = "core",
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["contextinstanceid"] = course.ToString(CultureInfo.InvariantCulture),
        ["userid"] = user.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = related == 0 ? null : related.ToString(CultureInfo.InvariantCulture),
        ["objectid"] = course.ToString(CultureInfo.InvariantCulture),
        ["timecreated"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>course_module_completion_updated as Moodle 4.5 writes it: the module's context, the learner's own completion.</summary>
    private static JsonObject ActivityCompleted(long course, long learner, long activity, DateTimeOffset at) => new()
    {
        ["eventname"] = @"\core\event\course_module_completion_updated",
        ["component"] = "core",
        ["courseid"] = course.ToString(CultureInfo.InvariantCulture),
        ["contextlevel"] = 70,
        ["contextinstanceid"] = activity.ToString(CultureInfo.InvariantCulture),
        ["userid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture),
        ["objectid"] = "1",
        ["other"] = new JsonObject { ["relateduserid"] = learner.ToString(CultureInfo.InvariantCulture), ["overrideby"] = null, ["completionstate"] = 1 },
        ["timecreated"] = at.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
    };

    private static JsonObject Course(long id, string shortName, string fullName, DateTimeOffset start, DateTimeOffset? end) => new()
    {
        ["id"] = id,
        ["shortName"] = shortName,
        ["fullName"] = fullName,
        ["url"] = $"https://moodle.formation.example/course/view.php?id={id}",
        ["startDate"] = start.ToString("O"),
        ["endDate"] = end?.ToUnixTimeSeconds() ?? 0,
        ["visible"] = true,
    };
}
