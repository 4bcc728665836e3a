using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Moodle;

/// <summary>
/// The captured Moodle site (<see cref="RealSamples"/>, scenario.json) moved onto ids and names no other test
/// uses, so that tests sharing one Azurite never meet: the course and each person get fresh ids, and the
/// capture's tag ("01" in <c>HC-01</c>, <c>alice01</c>) becomes a fresh one. Nothing else of the samples changes.
/// </summary>
internal sealed class RealSite
{
    /// <summary>The people of scenario.json, by first name.</summary>
    public static readonly string[] People = ["alice", "bob", "chloe", "dave", "tess", "eve"];

    private readonly Dictionary<long, long> _users;

    private RealSite()
    {
        Scenario = RealSamples.Json("scenario.json").AsObject();
        RealTag = Scenario["tag"]!.GetValue<string>();
        Tag = TestIds.Next().ToString(CultureInfo.InvariantCulture);
        RealCourse = Scenario["course"]!["id"]!.GetValue<long>();
        Course = TestIds.Next();
        _users = People.ToDictionary(p => Scenario["users"]![p]!["id"]!.GetValue<long>(), _ => TestIds.Next());
    }

    public static RealSite New() => new();

    public JsonObject Scenario { get; }

    public string RealTag { get; }

    public string Tag { get; }

    public long RealCourse { get; }

    public long Course { get; }

    /// <summary>When the capture was taken (scenario.json "now").</summary>
    public DateTimeOffset Now => DateTimeOffset.FromUnixTimeSeconds(Scenario["now"]!.GetValue<long>());

    public string ShortName => $"HC-{Tag}";

    public string FullName => $"Harness course {Tag}";

    public long Id(string person) => _users[Scenario["users"]![person]!["id"]!.GetValue<long>()];

    public string Username(string person) => $"{person}{Tag}";

    public string Email(string person) => $"{person}{Tag}@example.com";

    /// <summary>scenario.json's word on a person's enrolment (<c>ue</c>): its id, status, dates.</summary>
    public JsonObject Enrolment(string person) => Scenario["users"]![person]!["ue"]!.AsObject();

    public string Lang(string person) => Scenario["users"]![person]!["lang"]!.GetValue<string>();

    public string TimeZone(string person) => Scenario["users"]![person]!["timezone"]!.GetValue<string>();

    /// <summary>report-participants.csv with this site's names.</summary>
    public string Csv() => Rename(RealSamples.Text("report-participants.csv"));

    /// <summary>The text with the capture's course and usernames renamed.</summary>
    public string Rename(string text)
    {
        text = text.Replace($"HC-{RealTag}", ShortName, StringComparison.Ordinal).Replace($"Harness course {RealTag}", FullName, StringComparison.Ordinal);
        foreach (var person in People)
        {
            text = text.Replace($"{person}{RealTag}", Username(person), StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>
    /// Each event of events.jsonl (name, <c>get_data()</c>) on this site's ids: the course, the people (as actor,
    /// related user, user-context instance, user object, and inside <c>other</c>), each id keeping its JSON type
    /// (a number stays a number, a string a string). Enrolment, role and module ids are left as captured.
    /// </summary>
    public IReadOnlyList<(string Name, JsonObject Data)> Events() =>
        [.. RealSamples.Events().Select(e => (e.Name, Move(e.Data)))];

    private JsonObject Move(JsonObject original)
    {
        var data = original.DeepClone().AsObject();
        MapCourse(data, "courseid");
        MapUser(data, "userid");
        MapUser(data, "relateduserid");
        switch (data["contextlevel"]?.GetValue<int>())
        {
            case 50:
                MapCourse(data, "contextinstanceid");
                break;
            case 30:
                MapUser(data, "contextinstanceid");
                break;
        }
        if (data["objecttable"]?.GetValue<string>() == "user")
        {
            MapUser(data, "objectid");
        }
        if (data["other"] is JsonObject other)
        {
            MapUser(other, "relateduserid");
            MapCourse(other, "courseid");
            foreach (var name in new[] { "shortname", "fullname", "username" })
            {
                if (other[name] is JsonValue value && value.GetValueKind() == JsonValueKind.String)
                {
                    other[name] = Rename(value.GetValue<string>());
                }
            }
            if (other["userenrolment"] is JsonObject row)
            {
                MapUser(row, "userid");
                MapCourse(row, "courseid");
            }
        }
        return data;
    }

    private void MapCourse(JsonObject node, string field) => Map(node, field, id => id == RealCourse ? Course : null);

    private void MapUser(JsonObject node, string field) => Map(node, field, id => _users.TryGetValue(id, out var moved) ? moved : null);

    private static void Map(JsonObject node, string field, Func<long, long?> move)
    {
        if (node[field] is not JsonValue value)
        {
            return;
        }
        var isString = value.GetValueKind() == JsonValueKind.String;
        var id = isString ? long.Parse(value.GetValue<string>(), CultureInfo.InvariantCulture) : value.GetValue<long>();
        if (move(id) is { } moved)
        {
            node[field] = isString ? JsonValue.Create(moved.ToString(CultureInfo.InvariantCulture)) : JsonValue.Create(moved);
        }
    }
}
