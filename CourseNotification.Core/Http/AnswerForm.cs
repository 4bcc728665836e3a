using System.Globalization;
using System.Text;
using CourseNotification.Questionnaires;

namespace CourseNotification.Http;

/// <summary>
/// The questionnaire as an HTML form that works without script: one fieldset with a legend per question
/// (a label for a comment box), problems shown above the questions they concern and listed at the top
/// with links to them, and what the learner entered kept.
/// </summary>
internal static class AnswerForm
{
    public static string Render(
        OpenedLink link, string? courseName, IReadOnlyDictionary<string, IReadOnlyList<string>> values, IReadOnlyDictionary<string, string> problems)
    {
        var (definition, invitation) = (link.Definition, link.Invitation);
        var lang = invitation.Lang;
        var fr = lang == "fr";
        var encode = LearnerPage.Encoder;
        var html = new StringBuilder();
        if (!string.IsNullOrWhiteSpace(courseName))
        {
            html.Append("<p class=\"course\">").Append(fr
                ? $"Formation «\u00A0{encode.Encode(courseName)}\u00A0»"
                : $"Course: {encode.Encode(courseName)}").Append("</p>");
        }
        if (invitation.Test)
        {
            html.Append("<p class=\"test\">").Append(fr
                ? "Envoi de test\u00A0: vos réponses sont marquées comme test et n'entrent dans aucun rapport."
                : "Test send: your answers are marked as a test and stay out of every report.").Append("</p>");
        }
        html.Append("<p class=\"note\">").Append(encode.Encode(definition.Anonymous
            ? fr ? "Vos réponses sont anonymes\u00A0: elles sont enregistrées sans lien avec votre nom ni votre adresse e-mail."
                 : "Your answers are anonymous: they are stored with no link to your name or your email address."
            : fr ? "Ce questionnaire est nominatif\u00A0: vos réponses sont enregistrées avec votre nom."
                 : "This questionnaire is not anonymous: your answers are stored with your name.")).Append("</p>");
        if (problems.Count > 0)
        {
            html.Append("<div class=\"summary\" role=\"alert\" tabindex=\"-1\" id=\"problems\"><p>")
                .Append(fr ? $"{Count(problems.Count, "réponse à compléter", "réponses à compléter")}\u00A0:" : $"{Count(problems.Count, "answer needs", "answers need")} your attention:")
                .Append("</p><ul>");
            foreach (var question in definition.Questions.Where(q => problems.ContainsKey(q.Id)))
            {
                html.Append(CultureInfo.InvariantCulture, $"<li><a href=\"#q-{question.Id}\">{encode.Encode(question.Label[lang])}</a></li>");
            }
            html.Append("</ul></div>");
        }
        html.Append(CultureInfo.InvariantCulture, $"<form method=\"post\" action=\"/q/{encode.Encode(link.Token)}\" novalidate>");
        var number = 0;
        foreach (var question in definition.Questions)
        {
            number++;
            var given = values.GetValueOrDefault(question.Id) ?? [];
            var problem = problems.GetValueOrDefault(question.Id);
            var described = problem is null ? "" : $" aria-describedby=\"e-{question.Id}\"";
            var invalid = problem is null ? "" : " invalid";
            var required = question.Required ? $" <span class=\"req\">({(fr ? "obligatoire" : "required")})</span>" : "";
            var label = $"{number}. {encode.Encode(question.Label[lang])}{required}";
            var error = problem is null ? "" : $"<p class=\"error\" id=\"e-{question.Id}\">{encode.Encode(problem)}</p>";
            if (question.Type == QuestionType.Text)
            {
                html.Append(CultureInfo.InvariantCulture, $"<div class=\"q{invalid}\" id=\"q-{question.Id}\"><label class=\"qlabel\" for=\"f-{question.Id}\">{label}</label>{error}")
                    .Append(CultureInfo.InvariantCulture, $"<textarea id=\"f-{question.Id}\" name=\"{question.Id}\" rows=\"5\" maxlength=\"{AnswerValidation.MaxTextLength}\"{described}>")
                    .Append(encode.Encode(given.Count > 0 ? given[0] : "")).Append("</textarea></div>");
                continue;
            }
            html.Append(CultureInfo.InvariantCulture, $"<fieldset class=\"{invalid.Trim()}\" id=\"q-{question.Id}\"{described}><legend>{label}</legend>{error}");
            switch (question.Type)
            {
                case QuestionType.Scale5:
                    Ends(html, question, lang, "1", "5");
                    Options(html, question.Id, "radio", Enumerable.Range(1, 5).Select(n => (Text(n), Text(n))), given, "opts");
                    break;
                case QuestionType.Nps:
                    Ends(html, question, lang, "0", "10");
                    Options(html, question.Id, "radio", Enumerable.Range(0, 11).Select(n => (Text(n), Text(n))), given, "opts nps");
                    break;
                case QuestionType.YesNo:
                    Options(html, question.Id, "radio", [("yes", fr ? "Oui" : "Yes"), ("no", fr ? "Non" : "No")], given, "opts");
                    break;
                default:
                    var kind = question.Type == QuestionType.MultipleChoice ? "checkbox" : "radio";
                    Options(html, question.Id, kind, (question.Choices ?? []).Select(c => (c.Id, c.Label[lang])), given, "list");
                    break;
            }
            html.Append("</fieldset>");
        }
        html.Append("<p><button type=\"submit\">").Append(fr ? "Envoyer mes réponses" : "Send my answers").Append("</button></p></form>");
        return html.ToString();
    }

    private static void Ends(StringBuilder html, Question question, string lang, string low, string high)
    {
        if (question.MinLabel?.GetValueOrDefault(lang) is { } min && question.MaxLabel?.GetValueOrDefault(lang) is { } max)
        {
            var encode = LearnerPage.Encoder;
            html.Append(CultureInfo.InvariantCulture, $"<p class=\"ends\">{low} = {encode.Encode(min)} · {high} = {encode.Encode(max)}</p>");
        }
    }

    private static void Options(StringBuilder html, string name, string kind, IEnumerable<(string Value, string Label)> options, IReadOnlyList<string> given, string layout)
    {
        var encode = LearnerPage.Encoder;
        html.Append(CultureInfo.InvariantCulture, $"<div class=\"{layout}\">");
        foreach (var (value, label) in options)
        {
            var isChecked = given.Contains(value) ? " checked" : "";
            html.Append(CultureInfo.InvariantCulture, $"<label><input type=\"{kind}\" name=\"{name}\" value=\"{encode.Encode(value)}\"{isChecked}><span>{encode.Encode(label)}</span></label>");
        }
        html.Append("</div>");
    }

    private static string Text(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Count(int n, string one, string many) => $"{Text(n)} {(n == 1 ? one : many)}";
}
