using System.Runtime.CompilerServices;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Scanning;

/// <summary>One learner's decisions in one course.</summary>
public sealed record LearnerDecisions(EnrolmentSnapshot Snapshot, IReadOnlyList<Decision> Decisions);

/// <summary>
/// The engine over a whole course, page by page: a page of snapshots, the ledger rows of those learners
/// (the course's ledger streamed alongside) and what earlier scans queued for them, then a decision per
/// learner and signal. The scan and the preview both read a course this way, so what the preview shows
/// is what the scan does.
/// </summary>
public sealed class CourseDecisions(CourseStore courses, SnapshotStore snapshots, LedgerStore ledger, QueuedSendStore queuedSends, SignalSettingsProvider settingsProvider)
{
    /// <summary>The most a Table Storage query returns in one response: the fewest round trips per course, a few MB at most in memory.</summary>
    public const int PageSize = 1000;

    public async IAsyncEnumerable<LearnerDecisions> EvaluateAsync(Course course, DateTimeOffset at, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var settings = await settingsProvider.ForAsync(course, cancellationToken);
        // What earlier scans queued and may still be waiting: only a few rows per course.
        var queued = await queuedSends.ReadCourseAsync(course.Id, at, cancellationToken);
        // The course's ledger is one query walked alongside the snapshots (both in learner order), not a
        // query per page: each page takes the rows up to its last learner. Both are read a page ahead.
        await using var sends = ReadAhead.Of(ledger.ReadCourseAsync(course.Id, cancellationToken), PageSize, cancellationToken).GetAsyncEnumerator(cancellationToken);
        SendRecord? next = await sends.MoveNextAsync() ? sends.Current : null;
        await foreach (var page in ReadAhead.Of(snapshots.ListPagesAsync(course.Id, PageSize, cancellationToken), 1, cancellationToken))
        {
            if (page.Count == 0)
            {
                continue;
            }
            var history = new Dictionary<long, List<SendRecord>>();
            while (next is not null && next.Key.LearnerId <= page[^1].LearnerId)
            {
                if (!history.TryGetValue(next.Key.LearnerId, out var records))
                {
                    history[next.Key.LearnerId] = records = [];
                }
                records.Add(next);
                next = await sends.MoveNextAsync() ? sends.Current : null;
            }
            foreach (var snapshot in page)
            {
                var records = history.GetValueOrDefault(snapshot.LearnerId) ?? [];
                if (queued.Contains(snapshot.LearnerId))
                {
                    // A send the ledger knows (claimed, sent, failed, deferred) is past its queue mark.
                    records.AddRange(queued[snapshot.LearnerId].Where(mark => !records.Exists(r => r.Key == mark.Key)));
                }
                yield return new LearnerDecisions(snapshot, SignalEngine.Evaluate(course, snapshot, records, settings, at));
            }
        }
    }

    /// <summary>Every course, in id order, each evaluated as above.</summary>
    public async IAsyncEnumerable<LearnerDecisions> EvaluateAllAsync(DateTimeOffset at, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var page in courses.ListIdPagesAsync(500, cancellationToken))
        {
            foreach (var id in page)
            {
                if (await courses.GetAsync(id, cancellationToken) is { } course)
                {
                    await foreach (var learner in EvaluateAsync(course, at, cancellationToken))
                    {
                        yield return learner;
                    }
                }
            }
        }
    }
}
