using System.Text.RegularExpressions;
using CourseNotification.Storage;

namespace CourseNotification.Reports;

/// <summary>
/// Takes people out of free comments before they reach a report: email addresses, phone numbers, and
/// the names (first, last, user name) of the people enrolled in the report's courses (from their snapshots'
/// copy of each profile), each replaced by "[…]".
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
        names.Contains(word) || (word.IndexOfAny(Joiners) >= 0 && word.Split(Joiners).Where(part => part.Length > 2).Any(names.Contains));

    /// <summary>The names of the people enrolled in a course, split into words of three letters or more.</summary>
    public async Task<IReadOnlyCollection<string>> NamesAsync(long courseId, CancellationToken cancellationToken) =>
        // Two letters or fewer would take words out of every comment.
        (await snapshots.NamesAsync(courseId, cancellationToken))
            .SelectMany(name => name.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Where(part => part.Length > 2)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"[\p{L}\p{N}]+(['’-][\p{L}\p{N}]+)*", RegexOptions.CultureInvariant)]
    private static partial Regex Word();

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    /// <summary>French and international numbers: 06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78, 0612345678.</summary>
    [GeneratedRegex(@"(?<!\d)(\+\d{2,3}[\s.-]?)?\(?0?\d\)?([\s.-]?\d{2}){4}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
