using CourseNotification.Reports;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Enrolments;

/// <summary>
/// Erases a person (Moodle's user_deleted, GDPR erasure): their learner row, their snapshot and index row
/// in every course, the link between them and their sends (the ledger keeps anonymous counts) and their
/// named answers (which stay in the figures, anonymous, with the person's own name and address taken out
/// of what they wrote), and every questionnaire link issued to them.
/// </summary>
public sealed class LearnerErasure(
    LearnerStore learners, SnapshotStore snapshots, LedgerStore ledger, AnswerStore answers, InvitationStore invitations, ILogger<LearnerErasure> logger)
{
    public async Task EraseAsync(long learnerId, CancellationToken cancellationToken)
    {
        var courses = await snapshots.CoursesOfLearnerAsync(learnerId, cancellationToken);
        var person = await learners.GetAsync(learnerId, cancellationToken);
        var names = person is null ? [] : new[] { person.FirstName, person.LastName, person.Username }.Where(n => n.Length > 2).ToHashSet(StringComparer.OrdinalIgnoreCase);
        // Any address goes, as in reports; names are the person's own.
        string Scrub(string text) => CommentScrubber.Scrub([text], names)[0];
        foreach (var courseId in courses)
        {
            await ledger.AnonymizeAsync(courseId, learnerId, cancellationToken);
            await answers.AnonymizeAsync(courseId, learnerId, Scrub, cancellationToken);
            await snapshots.DeleteAsync(courseId, learnerId, cancellationToken);
        }
        await invitations.DeleteOfLearnerAsync(learnerId, cancellationToken);
        await learners.DeleteAsync(learnerId, cancellationToken);
        logger.LogInformation("Erased learner {LearnerId} from {CourseCount} courses", learnerId, courses.Count);
    }
}
