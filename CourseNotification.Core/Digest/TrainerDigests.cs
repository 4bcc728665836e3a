using System.Globalization;
using CourseNotification.Dispatch;
using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Digest;

/// <summary>
/// Reads and writes a person's weekly digest: their courses through the learner-courses index, in each
/// course where they hold a digest role and the digest is on, the learners who never came, those inactive
/// beyond the course's inactivity delay and those whose access ends within 15 days without completion,
/// each with what was sent to them in the last 7 days. The dispatcher sends it through the same claim,
/// ledger and transport as a learner's mail; the preview and the test send read it the same way.
/// </summary>
public sealed class TrainerDigests(
    CourseStore courses,
    SnapshotStore snapshots,
    LedgerStore ledger,
    LearnerStore learners,
    SignalSettingsProvider settingsProvider,
    MailRenderer renderer,
    MailComposer composer,
    OptOut optOut,
    IMailTransport transport,
    IOptions<PlatformOptions> platform,
    TimeProvider clock,
    ILogger<TrainerDigests> logger)
{
    /// <summary>The person's digest as of <paramref name="at"/>, or null when the person is not known; no course in it when they receive none.</summary>
    public async Task<DigestContent?> ReadAsync(long personId, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (await learners.GetAsync(personId, cancellationToken) is not { } person)
        {
            return null;
        }
        var lang = renderer.LanguageOf(person);
        var culture = Languages.Culture(lang);
        var zone = TimeZones.Resolve(person.TimeZone, settingsProvider.Platform.SiteZone);
        var found = new List<DigestCourse>();
        foreach (var courseId in await snapshots.CoursesOfLearnerAsync(personId, cancellationToken))
        {
            if (await courses.GetAsync(courseId, cancellationToken) is not { } course)
            {
                continue;
            }
            var settings = await settingsProvider.ForAsync(course, cancellationToken);
            if (!settings.PlatformEnabled || !settings.Digest.Enabled
                || await snapshots.GetAsync(courseId, personId, cancellationToken) is not { } own || !TrainerDigest.IsRecipient(own, settings.Digest))
            {
                continue;
            }
            found.Add(await ReadCourseAsync(course, settings, personId, zone, culture, lang, at, cancellationToken));
        }
        return new DigestContent(person, zone, lang, [.. found.OrderBy(c => c.Course.FullName, StringComparer.Create(culture, ignoreCase: true))]);
    }

    private async Task<DigestCourse> ReadCourseAsync(
        Course course, SignalSettings settings, long personId, TimeZoneInfo zone, CultureInfo culture, string lang, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var since = at.AddDays(-TrainerDigest.SentWithinDays);
        var sent = new Dictionary<long, List<SendRecord>>();
        await foreach (var record in ledger.ReadCourseAsync(course.Id, cancellationToken))
        {
            if (record.State == SendState.Sent && record.At > since && record.At <= at && !Questionnaires.QuestionnaireSignals.IsAnswered(record.Key.Signal))
            {
                if (!sent.TryGetValue(record.Key.LearnerId, out var list))
                {
                    sent[record.Key.LearnerId] = list = [];
                }
                list.Add(record);
            }
        }
        string Day(DateTimeOffset instant) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime).ToString("d MMMM", culture);
        var french = lang == "fr";
        List<DigestLearner> neverCame = [], inactive = [], ending = [];
        await foreach (var page in snapshots.ListPagesAsync(course.Id, 1000, cancellationToken))
        {
            foreach (var snapshot in page)
            {
                if (snapshot.LearnerId == personId || TrainerDigest.IsRecipient(snapshot, settings.Digest)
                    || snapshot.Roles is not { } roles || !roles.Any(settings.LearnerRoles.Contains) || snapshot.Profile is { Suspended: true })
                {
                    continue;
                }
                var facts = new LearnerFacts(course, snapshot, settings, at);
                if (facts.WorkStart is not { } start || start > at || facts.IsCompleted)
                {
                    continue;
                }
                var name = $"{snapshot.Profile?.FirstName} {snapshot.Profile?.LastName}".Trim() is { Length: > 0 } full ? full : $"#{snapshot.LearnerId.ToString(CultureInfo.InvariantCulture)}";
                IReadOnlyList<string> mails = [.. (sent.GetValueOrDefault(snapshot.LearnerId) ?? []).OrderBy(r => r.At).Select(r => $"{TrainerDigest.Label(r.Key.Signal, lang)} ({Day(r.At)})")];
                var lastSeen = snapshot.LastAccess ?? snapshot.FirstAccess;
                if (lastSeen is null)
                {
                    neverCame.Add(new DigestLearner(snapshot.LearnerId, name, french ? $"inscrit·e depuis le {Day(start)}" : $"enrolled since {Day(start)}", mails));
                }
                else if (at - lastSeen.Value > TimeSpan.FromDays(settings.InactivityDays))
                {
                    var days = (int)(at - lastSeen.Value).TotalDays;
                    inactive.Add(new DigestLearner(snapshot.LearnerId, name, french ? $"dernière visite le {Day(lastSeen.Value)}, il y a {days} jours" : $"last visit on {Day(lastSeen.Value)}, {days} days ago", mails));
                }
                if (facts.AccessEnd is { } end && end > at && end <= at.AddDays(TrainerDigest.EndingWithinDays))
                {
                    // The last day of access is the local day of the instant just before the end.
                    var last = Day(end.AddTicks(-1));
                    ending.Add(new DigestLearner(snapshot.LearnerId, name, french ? $"accès jusqu'au {last}, formation non terminée" : $"access until {last}, course not completed", mails));
                }
            }
        }
        var byName = StringComparer.Create(culture, ignoreCase: true);
        IReadOnlyList<DigestLearner> Listed(List<DigestLearner> all) => [.. all.OrderBy(l => l.Name, byName).Take(TrainerDigest.ListedPerSection)];
        var statusUrl = $"{platform.Value.PublicUrl.TrimEnd('/')}/courses/{course.Id.ToString(CultureInfo.InvariantCulture)}/status";
        return new DigestCourse(course, settings.Digest, settings.InactivityDays, statusUrl,
            Listed(neverCame), neverCame.Count, Listed(inactive), inactive.Count, Listed(ending), ending.Count);
    }

    /// <summary>The digest's mail, in the person's language, as of <paramref name="at"/>.</summary>
    public RenderedMail Render(DigestContent content, DateTimeOffset at, string? unsubscribe) =>
        renderer.RenderDigest(content, at, unsubscribe, platform.Value.SiteName);

    /// <summary>
    /// What the dispatcher sends for a digest message: null (nothing sent, nothing recorded) when the person
    /// is unknown or unsubscribed, when no course's schedule makes the week due at the scan's instant, or
    /// when there is nothing to report and no course asks for it anyway.
    /// </summary>
    public async Task<DigestSend?> PrepareAsync(SendKey key, DateTimeOffset scannedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var history = ledger.ReadLearnerAsync(TrainerDigest.SiteCourse, key.LearnerId, cancellationToken);
        var content = await ReadAsync(key.LearnerId, now, cancellationToken);
        if (content is null || content.Person.OptedOut)
        {
            logger.LogInformation("Dropped the digest of person {LearnerId}: unknown or opted out", key.LearnerId);
            return null;
        }
        if (content.DueWeek(scannedAt) != key.Anchor || now - scannedAt > TimeSpan.FromDays(1))
        {
            logger.LogInformation("Dropped the digest of person {LearnerId} for the week of {Week}: not due", key.LearnerId, key.Anchor);
            return null;
        }
        if (!content.WorthSending)
        {
            logger.LogInformation("No digest for person {LearnerId} in the week of {Week}: nothing to report in {CourseCount} courses", key.LearnerId, key.Anchor, content.Courses.Count);
            return null;
        }
        return new DigestSend(content, (await history).FirstOrDefault(r => r.Key == key));
    }

    /// <summary>The mail of a prepared digest for the dispatcher: with the person's unsubscribe link and the send's ids; null when no address is known.</summary>
    public async Task<OutgoingMail?> ComposeAsync(DigestSend send, SendKey key, DateTimeOffset firstTriedAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(send.Content.Person.Email))
        {
            return null;
        }
        var unsubscribe = await optOut.LinkAsync(send.Content.Person.Id, cancellationToken);
        return composer.ToLearner(send.Content.Person, Render(send.Content, now, unsubscribe), unsubscribe, key, firstTriedAt);
    }

    /// <summary>Sends the person's digest as of now to <paramref name="address"/> (subject marked [Test]), outside the ledger; null when sent.</summary>
    public async Task<Refusal?> SendTestAsync(long personId, string address, CancellationToken cancellationToken)
    {
        if (!EmailAddresses.IsBare(address))
        {
            return new Refusal(400, "email", "an email address is expected.");
        }
        var now = clock.GetUtcNow();
        var content = await ReadAsync(personId, now, cancellationToken);
        if (content is not { Courses.Count: > 0 })
        {
            return NotARecipient(personId, content);
        }
        if (await transport.TrySendAsync(composer.ToTester(address, Render(content, now, null), now), logger, cancellationToken) is { } failed)
        {
            return failed;
        }
        logger.LogInformation("Test of the digest of person {LearnerId} sent to an administrator", personId);
        return null;
    }

    internal static Refusal NotARecipient(long personId, DigestContent? content) => content is null
        ? new Refusal(404, "id", $"Person {personId} is not known here.")
        : new Refusal(404, "id", $"Person {personId} receives no digest: no course with the digest on where they hold one of its roles.");
}

/// <summary>A digest the dispatcher is about to send: its content and the ledger's record of it, if any.</summary>
public sealed record DigestSend(DigestContent Content, SendRecord? Known);
