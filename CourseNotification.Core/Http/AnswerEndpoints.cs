using CourseNotification.Questionnaires;
using CourseNotification.Settings;
using CourseNotification.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace CourseNotification.Http;

/// <summary>
/// <c>GET /q/{token}</c> shows the questionnaire of a link; <c>POST /q/{token}</c> takes the answers
/// (a plain form post, no script). Every other case gets a page that says what happened, in the
/// learner's language: a link never issued (404), closed (410), already answered (a second submission: 409),
/// answers to fix (422, the form again with the learner's input), thanks.
/// </summary>
public sealed class AnswerEndpoints(AnswerIntake intake, CourseStore courses, IOptions<PlatformOptions> platform)
{
    /// <summary>A questionnaire form is small; anything bigger is not one.</summary>
    public const int MaxFormBytes = 64 * 1024;

    public async Task<IResult> GetAsync(string token, CancellationToken cancellationToken) =>
        await intake.OpenAsync(token, cancellationToken) switch
        {
            null => UnknownLink(),
            { State: LinkState.Answered } link => Page(200, link, "Merci, vous avez déjà répondu", "Thank you, you have already answered",
                "Vos réponses à ce questionnaire sont enregistrées. Il n'y a rien d'autre à faire.",
                "Your answers to this questionnaire are recorded. There is nothing else to do."),
            { State: LinkState.Expired } link => Closed(link),
            var link => await FormAsync(200, link, new Dictionary<string, IReadOnlyList<string>>(), new Dictionary<string, string>(), cancellationToken),
        };

    public async Task<IResult> PostAsync(string token, HttpRequest request, CancellationToken cancellationToken)
    {
        if (await intake.OpenAsync(token, cancellationToken) is not { } link)
        {
            return UnknownLink();
        }
        if (await FormBody.TryReadAsync(request, MaxFormBytes, cancellationToken) is not { } form)
        {
            return Page(400, link, "Réponses non reçues", "Answers not received",
                "Vos réponses ne nous sont pas parvenues sous la forme attendue. Rouvrez le lien reçu par e-mail et envoyez le formulaire de la page.",
                "Your answers did not reach us in the expected form. Open the link from your email again and send the form on the page.");
        }
        var values = form.ToDictionary(f => f.Key, f => (IReadOnlyList<string>)[.. f.Value.OfType<string>()], StringComparer.Ordinal);
        var (outcome, checkedAnswers) = await intake.SubmitAsync(link, values, cancellationToken);
        return outcome switch
        {
            SubmissionOutcome.Accepted => Page(200, link, "Merci pour vos réponses\u00A0!", "Thank you for your answers!",
                "Elles sont bien enregistrées. Elles nous aident à améliorer la formation pour les prochains participants.",
                "They are recorded. They help us improve the course for the next participants."),
            SubmissionOutcome.AlreadyAnswered => Page(409, link, "Vous avez déjà répondu", "You have already answered",
                "Ce questionnaire a déjà reçu vos réponses\u00A0; celles-ci n'ont pas été enregistrées une seconde fois et rien n'a été modifié.",
                "This questionnaire already has your answers; these were not recorded a second time and nothing was changed."),
            SubmissionOutcome.Expired => Closed(link),
            _ => await FormAsync(422, link, values, checkedAnswers!.Problems, cancellationToken),
        };
    }

    /// <summary>The form, under the name of the course it asks about (a learner may have followed several).</summary>
    private async Task<IResult> FormAsync(
        int status, OpenedLink link, IReadOnlyDictionary<string, IReadOnlyList<string>> values, IReadOnlyDictionary<string, string> problems, CancellationToken cancellationToken)
    {
        var course = await courses.GetAsync(link.Invitation.CourseId, cancellationToken);
        return LearnerPage.Page(status, link.Invitation.Lang, platform.Value.SiteName, link.Definition.Title[link.Invitation.Lang],
            AnswerForm.Render(link, course?.FullName, values, problems));
    }

    private IResult Closed(OpenedLink link) => Page(410, link, "Ce questionnaire est clos", "This questionnaire is closed",
        "Le délai pour répondre est passé\u00A0: ce lien ne fonctionne plus. Si vous souhaitez tout de même nous donner votre avis, contactez-nous.",
        "The time to answer has passed: this link no longer works. If you would still like to give us your opinion, contact us.");

    private IResult Page(int status, OpenedLink link, string titleFr, string titleEn, string textFr, string textEn) =>
        link.Invitation.Lang == "fr"
            ? LearnerPage.Render(status, "fr", platform.Value.SiteName, titleFr, [textFr])
            : LearnerPage.Render(status, "en", platform.Value.SiteName, titleEn, [textEn]);

    private IResult UnknownLink() => platform.Value.DefaultLanguage == "fr"
        ? LearnerPage.Render(404, "fr", platform.Value.SiteName, "Lien non valide",
            ["Ce lien de questionnaire n'est pas valide. Utilisez le lien complet reçu par e-mail (copiez-le en entier), ou contactez-nous."])
        : LearnerPage.Render(404, "en", platform.Value.SiteName, "Link not valid",
            ["This questionnaire link is not valid. Use the whole link from your email (copy all of it), or contact us."]);
}
