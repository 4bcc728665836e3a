using System.Text.RegularExpressions;
using CourseNotification.Storage;

namespace CourseNotification.Reports;

/// <summary>
/// Takes people out of free comments before they reach a report: email addresses, phone numbers, and
/// the names (first, last, user name) of the people enrolled in the comment's course (from its snapshots'
/// copy of their profile), each replaced by "[…]". Names are read only for courses that have comments.
/// </summary>
public sealed partial class CommentScrubber(SnapshotStore snapshots)
{
    public const string Mask = "[…]";

    /// <summary>The comments of one course, scrubbed, in the same order.</summary>
    public async Task<IReadOnlyList<string>> ScrubAsync(long courseId, IReadOnlyList<string> comments, CancellationToken cancellationToken)
    {
        if (comments.Count == 0)
        {
            return comments;
        }
        var names = await NamesAsync(courseId, cancellationToken);
        return [.. comments.Select(c => Scrub(c, names))];
    }

    /// <summary>One comment without addresses, phone numbers and the given names (whole words, any case).</summary>
    public static string Scrub(string comment, IReadOnlyCollection<string> names)
    {
        var text = Email().Replace(comment, Mask);
        text = Phone().Replace(text, Mask);
        if (names.Count > 0)
        {
            var pattern = @"(?<![\p{L}\p{N}])(" + string.Join('|', names.OrderByDescending(n => n.Length).Select(Regex.Escape)) + @")(?![\p{L}\p{N}])";
            text = Regex.Replace(text, pattern, Mask, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        return text;
    }

    private async Task<IReadOnlyCollection<string>> NamesAsync(long courseId, CancellationToken cancellationToken) =>
        // Two letters or fewer would take words out of every comment.
        (await snapshots.NamesAsync(courseId, cancellationToken)).Select(n => n.Trim()).Where(n => n.Length > 2).ToHashSet(StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex(@"[\w.+-]+@[\w-]+(\.[\w-]+)+", RegexOptions.CultureInvariant)]
    private static partial Regex Email();

    /// <summary>French and international numbers: 06 12 34 56 78, 06.12.34.56.78, +33 6 12 34 56 78, 0612345678.</summary>
    [GeneratedRegex(@"(?<!\d)(\+\d{2,3}[\s.-]?)?\(?0?\d\)?([\s.-]?\d{2}){4}(?!\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Phone();
}
