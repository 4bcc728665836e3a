using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Templates;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// <c>GET /u/{token}</c> asks the learner to confirm (a link scanner that follows links changes nothing);
/// <c>POST /u/{token}</c> records the opt-out at once: the confirmation button, and mail clients' RFC 8058
/// one-click (<c>List-Unsubscribe=One-Click</c>). Pages are in the learner's language.
/// </summary>
public sealed class UnsubscribeEndpoints(OptOut optOut, LearnerDirectory learners, IOptions<PlatformOptions> platform)
{
    public async Task<IResult> GetAsync(string token, CancellationToken cancellationToken)
    {
        if (await optOut.VerifyAsync(token, cancellationToken) is not { } learnerId)
        {
            return InvalidLink();
        }
        var learner = await learners.GetAsync(learnerId, cancellationToken);
        var lang = Languages.Pick(learner?.Lang, platform.Value.DefaultLanguage);
        var site = platform.Value.SiteName;
        if (learner is { OptedOut: true })
        {
            return Done(lang);
        }
        return lang == "fr"
            ? LearnerPage.Render(200, lang, site, "Ne plus recevoir de rappels\u00A0?",
                [$"Vous ne recevrez plus les messages de suivi de {site} (bienvenue, relances, rappels de fin d'accès), pour aucune de vos formations."],
                ($"/u/{token}", "Confirmer"))
            : LearnerPage.Render(200, lang, site, "Stop receiving reminders?",
                [$"You will no longer receive follow-up messages from {site} (welcome, reminders, end-of-access notices), for any of your courses."],
                ($"/u/{token}", "Confirm"));
    }

    public async Task<IResult> PostAsync(string token, CancellationToken cancellationToken)
    {
        if (await optOut.VerifyAsync(token, cancellationToken) is not { } learnerId)
        {
            return InvalidLink();
        }
        var learner = await optOut.ApplyAsync(learnerId, cancellationToken);
        return Done(Languages.Pick(learner?.Lang, platform.Value.DefaultLanguage));
    }

    private IResult Done(string lang) => lang == "fr"
        ? LearnerPage.Render(200, lang, platform.Value.SiteName, "C'est noté",
            ["Vous ne recevrez plus de rappels. Vos formations restent accessibles sur la plateforme\u00A0; si vous changez d'avis, contactez-nous."])
        : LearnerPage.Render(200, lang, platform.Value.SiteName, "Done",
            ["You will receive no more reminders. Your courses remain available on the platform; if you change your mind, contact us."]);

    private IResult InvalidLink()
    {
        var lang = platform.Value.DefaultLanguage;
        return lang == "fr"
            ? LearnerPage.Render(404, lang, platform.Value.SiteName, "Lien non valide",
                ["Ce lien de désinscription n'est pas valide. Utilisez le lien complet reçu dans votre dernier message, ou contactez-nous."])
            : LearnerPage.Render(404, lang, platform.Value.SiteName, "Link not valid",
                ["This unsubscribe link is not valid. Use the whole link from your latest message, or contact us."]);
    }
}
