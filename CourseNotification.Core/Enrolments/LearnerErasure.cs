using CourseNotification.Reports;
using CourseNotification.Storage;
using Microsoft.Extensions.Logging;

namespace CourseNotification.Enrolments;

/// <summary>
/// Erases a person (Moodle's user_deleted, GDPR erasure): their learner row, their snapshot and index row
/// in every course they have data in (courses deleted since included: the index keeps them), the link between them and their sends (the ledger keeps anonymous counts) and their
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
        // The person's own names go whatever their length ("Li Wu"): at erasure, protecting them wins over
        // the odd short word masked with them. Any address goes, as in reports.
        var names = person is null ? new HashSet<string>() : CommentScrubber.NameWords([person.FirstName, person.LastName, person.Username], minLength: 1);
        string Scrub(string text) => CommentScrubber.Scrub([text], names)[0];
        foreach (var courseId in courses)
        {
            await ledger.AnonymizeAsync(courseId, learnerId, cancellationToken);
            await answers.AnonymizeAsync(courseId, learnerId, Scrub, cancellationToken);
            await snapshots.EraseAsync(courseId, learnerId, cancellationToken);
        }
        // Sends about no single course (a trainer's weekly digest) are kept under course 0, outside the index.
        await ledger.AnonymizeAsync(Digest.TrainerDigest.SiteCourse, learnerId, cancellationToken);
        await invitations.DeleteOfLearnerAsync(learnerId, cancellationToken);
        await learners.DeleteAsync(learnerId, cancellationToken);
        logger.LogInformation("Erased learner {LearnerId} from {CourseCount} courses", learnerId, courses.Count);
    }
}
