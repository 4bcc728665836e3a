using System.Reflection;
using System.Text.RegularExpressions;
using CourseNotification.Http;
using CourseNotification.Settings;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Http;

/// <summary>
/// The French and English words of the teachers' pages and of the settings' checks: nothing the pages can
/// show is left without its French (every reason of the engine, state, signal, refusal of a grant), and
/// each format takes the same values in both languages.
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed partial class PageTextsTests
{
    [TestMethod]
    public void Every_reason_state_signal_and_refusal_has_its_words_in_both_languages()
    {
        var reasons = typeof(Reasons).GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral).Select(f => (string)f.GetRawConstantValue()!).ToList();
        Assert.IsGreaterThan(30, reasons.Count);
        var french = CoursePageTexts.For("fr");
        CollectionAssert.AreEquivalent(reasons, french.ReasonWords.Keys.ToList(), "each reason of the engine said in French, and no word for a reason that is gone");
        Assert.AreEqual("provider refused: 550 mailbox unknown", french.Reason("provider refused: 550 mailbox unknown"), "a reason from elsewhere, as it came");
        foreach (var lang in new[] { "fr", "en" })
        {
            var texts = CoursePageTexts.For(lang);
            Assert.AreEqual(lang, texts.Lang);
            foreach (var state in Enum.GetValues<DecisionState>())
            {
                Assert.IsFalse(string.IsNullOrWhiteSpace(texts.StateName(state)), $"{lang}: {state}");
            }
            foreach (var refusal in Enum.GetValues<GrantRefusal>())
            {
                Assert.IsFalse(string.IsNullOrWhiteSpace(texts.Refusal(refusal)), $"{lang}: {refusal}");
            }
            CollectionAssert.IsSubsetOf(SignalKeys.All.ToList(), texts.SignalNames.Keys.ToList(), $"{lang}: every signal has a name");
        }
    }

    [TestMethod]
    public void Each_format_takes_the_same_values_in_French_and_English()
    {
        foreach (var (kind, english, french) in new (string, object, object)[]
        {
            ("page", CoursePageTexts.For("en"), CoursePageTexts.For("fr")),
            ("editor", EditorTexts.For("en"), EditorTexts.For("fr")),
            ("checks", ProblemWords.English, ProblemWords.French),
        })
        {
            var strings = english.GetType().GetFields(BindingFlags.Public | BindingFlags.Instance).Where(f => f.FieldType == typeof(string))
                .Concat<MemberInfo>(english.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.PropertyType == typeof(string)))
                .ToList();
            Assert.IsGreaterThan(5, strings.Count, kind);
            foreach (var member in strings)
            {
                var (en, fr) = (Read(member, english), Read(member, french));
                Assert.IsFalse(string.IsNullOrWhiteSpace(fr), $"{kind}.{member.Name}: French missing");
                CollectionAssert.AreEquivalent(Holes(en), Holes(fr), $"{kind}.{member.Name}: '{en}' and '{fr}' take different values");
            }
        }

        static string Read(MemberInfo member, object on) => (member is FieldInfo f ? f.GetValue(on) : ((PropertyInfo)member).GetValue(on)) as string ?? "";
        static List<string> Holes(string format) => [.. HolePattern().Matches(format).Select(m => m.Value).Distinct()];
    }

    [GeneratedRegex(@"\{\d+\}")]
    private static partial Regex HolePattern();
}
