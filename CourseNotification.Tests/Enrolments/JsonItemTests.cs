using System.Text.Json.Nodes;
using CourseNotification.Enrolments;

namespace CourseNotification.Tests.Enrolments;

[TestClass]
[TestCategory("unit")]
public sealed class JsonItemTests
{
    private static JsonItem Item(string json) => new(JsonNode.Parse(json)!.AsObject());

    [TestMethod]
    public void Numbers_may_arrive_as_strings()
    {
        var item = Item("""{"courseid":"12","relateduserid":501}""");
        Assert.AreEqual(12L, item.Id("courseid"));
        Assert.AreEqual(501L, item.Id("relateduserid"));
        Assert.IsNull(item.Problem);
    }

    [TestMethod]
    public void Nodes_built_in_code_read_like_parsed_ones()
    {
        var item = new JsonItem(new JsonObject { ["i"] = 12, ["l"] = 1767571200L, ["d"] = 3.0, ["m"] = 7m, ["b"] = 1, ["f"] = 2.5 });
        Assert.AreEqual((12L, 1767571200L, 3L, 7L), (item.Long("i"), item.Long("l"), item.Long("d"), item.Long("m")));
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767571200), item.Date("l"));
        Assert.IsTrue(item.Bool("b"));
        Assert.IsNull(item.Problem);
        item.Long("f");
        Assert.AreEqual("f must be an integer", item.Problem);
    }

    [TestMethod]
    public void Dates_are_unix_seconds_or_iso_with_offset_and_zero_means_none()
    {
        var item = Item("""{"a":1767571200,"b":"1767571200","c":"2026-01-05T00:00:00+01:00","d":0,"e":"0","f":null}""");
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767571200), item.Date("a"));
        Assert.AreEqual(DateTimeOffset.FromUnixTimeSeconds(1767571200), item.Date("b"));
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 0, 0, 0, TimeSpan.FromHours(1)), item.Date("c"));
        Assert.IsNull(item.Date("d"));
        Assert.IsNull(item.Date("e"));
        Assert.IsNull(item.Date("f"));
        Assert.IsNull(item.Problem);
    }

    [TestMethod]
    public void A_date_without_offset_is_refused_naming_the_field()
    {
        var item = Item("""{"start":"2026-01-05"}""");
        item.Date("start");
        Assert.AreEqual("start", item.ProblemField);
        StringAssert.Contains(item.Problem, "ISO 8601");
    }

    [TestMethod]
    public void The_first_problem_wins_and_names_its_field()
    {
        var item = Item("""{"id":-3,"courseId":"abc"}""");
        item.Id("id");
        item.Id("courseId");
        Assert.AreEqual("id", item.ProblemField);
        Assert.AreEqual("id must be a positive integer", item.Problem);
    }

    [TestMethod]
    public void Booleans_accept_moodle_zero_and_one()
    {
        var item = Item("""{"a":"1","b":0,"c":true,"d":"yes"}""");
        Assert.IsTrue(item.Bool("a"));
        Assert.IsFalse(item.Bool("b"));
        Assert.IsTrue(item.Bool("c"));
        Assert.IsNull(item.Problem);
        item.Bool("d");
        Assert.AreEqual("d", item.ProblemField);
    }
}
