using System.Text.RegularExpressions;
using CourseNotification.Questionnaires;
using CourseNotification.Storage;

namespace CourseNotification.Reports;

/// <summary>
/// Takes people out of free comments, each replaced by "[…]": when an answer is stored, the names
/// (first, last, user name) of the people enrolled in its course (from their snapshots' copy of each
/// profile), email addresses and phone numbers, so no answer keeps them; when a report is drawn,
/// addresses and phone numbers again.
/// </summary>
public sealed partial class CommentScrubber(SnapshotStore snapshots)
{
    public const string Mask = "[…]";

    /// <summary>
    /// Comments without addresses, phone numbers and the given names: every word (letters and digits,
    /// hyphens and apostrophes inside) that is a name or holds one, whatever its case. One pass over each
    /// comment, whatever the number of names. A name that is also a word ("Rose") is masked as a word
    /// too: when in doubt, the person is protected.
    /// </summary>
    public static IReadOnlyList<string> Scrub(IReadOnlyList<string> comments, IReadOnlySet<string> names) =>
        [.. comments.Select(comment =>
        {
            var text = Phone().Replace(Email().Replace(comment, Mask), Mask);
            return names.Count == 0 ? text : Word().Replace(text, word => IsName(word.Value, names) ? Mask : word.Value);
        })];

    private static readonly char[] Joiners = ['-', '\'', '’'];

    /// <summary>A name, or a compound of names ("Jean-Marc"), or a name behind an elision ("d'Hugo").</summary>
    private static bool IsName(string word, IReadOnlySet<string> names) =>
        names.Contains(word) || (word.IndexOfAny(Joiners) >= 0 && word.Split(Joiners).Any(names.Contains));

    /// <summary>
    /// The words of people's names (first, last, user name; "Van der Berg" gives three), of at least
    /// <paramref name="minLength"/> letters, in a set that ignores case.
    /// </summary>
    public static IReadOnlySet<string> NameWords(IEnumerable<string> names, int minLength) =>
        names.SelectMany(name => name.Split([' ', '-', '\'', '’', '.'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(part => part.Length >= minLength)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// An answer's free texts without the people of its course, addresses and phone numbers, read from
    /// storage only when the answer has a text; the other answers as they are.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<string>>> ScrubTextsAsync(
        long courseId, QuestionnaireDefinition definition, IReadOnlyDictionary<string, IReadOnlyList<string>> values, CancellationToken cancellationToken)
    {
        var texts = definition.Questions.Where(q => q.Type == QuestionType.Text && values.GetValueOrDefault(q.Id) is [_, ..]).Select(q => q.Id).ToList();
        if (texts.Count == 0)
        {
            return values;
        }
        // Others' names of two letters or fewer stay: they would take words out of every comment ("de", "Le").
        var names = NameWords(await snapshots.NamesAsync(courseId, cancellationToken), minLength: 3);
        var scrubbed = values.ToDictionary();
        foreach (var id in texts)
        {
            scrubbed[id] = Scrub(values[id], names);
        }
        return scrubbed;
    }

    [GeneratedRegex(@"[\p{L}\p{N}]+(['’-][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    /// <summary>French and international numbers: 06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78, 0612345678.</summary>
    [GeneratedRegex(@"(?<!\d)(\+\d{2,3}[\s.-]?)?\(?0?\d\)?([\s.-]?\d{2}){4}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
