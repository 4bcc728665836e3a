using CourseNotification.Dispatch;
using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CourseNotification.Questionnaires;

/// <summary>What a test send needs: the course, the campaign, where to send it and in which language.</summary>
public sealed record TestInvitationRequest(long CourseId, string Campaign, string Email, string Lang);

/// <summary>
/// An administrator's test send: the campaign's real invitation (the course's own text if it has one),
/// to an address they give, with a working link whose answers are marked as test and kept out of
/// reports. No learner's state is read or written: the mail speaks to a made-up learner who completed
/// the course today.
/// </summary>
public sealed class TestInvitation(
    CourseStore courses,
    SignalSettingsProvider settingsProvider,
    InvitationLinks links,
    MailComposer composer,
    IMailTransport transport,
    TimeProvider clock,
    ILogger<TestInvitation> logger)
{
    /// <summary>Sends it; returns null when sent, otherwise why not (nothing sent).</summary>
    public async Task<Refusal?> SendAsync(TestInvitationRequest request, CancellationToken cancellationToken)
    {
        if (!EmailAddresses.IsBare(request.Email))
        {
            return new Refusal(400, "email", "an email address is expected.");
        }
        if (!Languages.Supported.Contains(request.Lang))
        {
            return new Refusal(400, "lang", $"the language is one of {string.Join(", ", Languages.Supported)}.");
        }
        if (await courses.GetAsync(request.CourseId, cancellationToken) is not { } course)
        {
            return new Refusal(404, "courseId", $"no course {request.CourseId}.");
        }
        var settings = await settingsProvider.ForAsync(course, cancellationToken);
        if (settings.Campaigns.FirstOrDefault(c => c.Id == request.Campaign) is not { } campaign)
        {
            return new Refusal(404, "campaign", $"course {request.CourseId} has no campaign '{request.Campaign}'.");
        }

        var now = clock.GetUtcNow();
        var learner = new Learner { Id = 0, Email = request.Email, FirstName = "Test", LastName = "", Lang = request.Lang };
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = course.Id,
            LearnerId = 0,
            Enrolments = [new Enrolment { Id = 0, Start = now.AddDays(-30) }],
            FirstAccess = now.AddDays(-29),
            LastAccess = now,
            CompletedAt = now,
            Profile = new LearnerProfile(request.Lang, "", false),
        };
        var context = new SendContext(course, snapshot, [], learner, settings);
        var today = new LearnerFacts(course, snapshot, settings, now).Calendar.Today;
        var link = await links.IssueAsync(
            new Invitation(course.Id, 0, campaign.Id, today, campaign.Questionnaire, request.Lang, now + campaign.LinkValidity, Test: true),
            cancellationToken);
        var rendered = composer.Compose(context, learner, QuestionnaireSignals.Invitation(campaign.Id), now, link, unsubscribe: null);
        if (await transport.TrySendAsync(composer.ToTester(request.Email, rendered, now), logger, cancellationToken) is { } failed)
        {
            return failed;
        }
        logger.LogInformation("Test invitation of campaign {Campaign} of course {CourseId} sent", campaign.Id, course.Id);
        return null;
    }
}
