using System.Globalization;
using System.Text.RegularExpressions;
using CourseNotification.Cli.Local;
using CourseNotification.Questionnaires;

namespace CourseNotification.Cli.Demo;

/// <summary>
/// The demo's learners as respondents: each day they read their new mail in maildev, and some follow a
/// questionnaire link (about half on the invitation, fewer on each reminder), open the page and send the
/// form, as a browser would (GET, then a form POST). Their answers lean positive, less so in one course,
/// and some write a comment, now and then naming their trainer or leaving an address, as real comments do.
/// </summary>
internal sealed partial class DemoRespondents(HttpClient http, MaildevInbox inbox)
{
    private static readonly string[] FrenchComments =
    [
        "Très bonne formation, claire et concrète.",
        "Merci à Camille pour sa disponibilité, les exemples étaient parlants.",
        "Un peu dense sur la fin, j'aurais aimé plus d'exercices pratiques.",
        "Les vidéos étaient utiles ; le quiz final était trop facile.",
        "Je recommande. Pour la suite, contactez-moi : stagiaire.demo@entreprise.example",
        "Le rythme était soutenu mais le suivi de Sophie Lambert a beaucoup aidé.",
    ];

    private static readonly string[] EnglishComments =
    [
        "Clear and practical, thank you.",
        "More hands-on exercises would help.",
        "Thanks to Camille for the quick answers on the forum.",
        "Good course, a bit long in the middle.",
    ];

    private readonly Random _random = new(2027);
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public int Answered { get; private set; }

    /// <summary>Reads the new mail and answers some questionnaires; returns how many were answered.</summary>
    public async Task<int> AnswerNewMailAsync(CancellationToken cancellationToken)
    {
        var answered = 0;
        foreach (var mail in (await inbox.ReadAsync(cancellationToken)).Where(m => _read.Add(m.Id)).OrderBy(m => m.To, StringComparer.Ordinal))
        {
            if (Link().Match(mail.Text) is not { Success: true } link)
            {
                continue;
            }
            var reminder = mail.Subject.Contains("rappel", StringComparison.OrdinalIgnoreCase) || mail.Subject.Contains("reminder", StringComparison.OrdinalIgnoreCase);
            if (_random.NextDouble() > (reminder ? 0.35 : 0.5))
            {
                continue;
            }
            var path = link.Groups["path"].Value;
            var page = await http.GetStringAsync(path, cancellationToken);
            var questionnaire = page.Contains("name=\"applied\"", StringComparison.Ordinal) ? QuestionnaireCatalog.Cold : QuestionnaireCatalog.Hot;
            var lang = page.Contains("<html lang=\"en\">", StringComparison.Ordinal) ? "en" : "fr";
            var harsh = mail.Text.Contains("Management d'équipe", StringComparison.Ordinal);
            using var response = await http.PostAsync(path, new FormUrlEncodedContent(Answers(QuestionnaireCatalog.Shipped[questionnaire], lang, harsh)), cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                answered++;
            }
        }
        Answered += answered;
        return answered;
    }

    private List<KeyValuePair<string, string>> Answers(QuestionnaireDefinition definition, string lang, bool harsh)
    {
        var fields = new List<KeyValuePair<string, string>>();
        void Add(string id, int value) => fields.Add(new(id, value.ToString(CultureInfo.InvariantCulture)));
        foreach (var question in definition.Questions)
        {
            switch (question.Type)
            {
                case QuestionType.Scale5:
                    Add(question.Id, Math.Clamp(5 - _random.Next(harsh ? 4 : 3) + (_random.Next(4) == 0 ? 1 : 0), 1, 5));
                    break;
                case QuestionType.Nps:
                    Add(question.Id, Math.Clamp(10 - _random.Next(harsh ? 7 : 5), 0, 10));
                    break;
                case QuestionType.YesNo:
                    fields.Add(new(question.Id, _random.Next(4) == 0 ? "no" : "yes"));
                    break;
                case QuestionType.SingleChoice:
                    fields.Add(new(question.Id, question.Choices![_random.Next(question.Choices.Count)].Id));
                    break;
                case QuestionType.MultipleChoice:
                    fields.AddRange(question.Choices!.Where(_ => _random.Next(3) == 0).Select(c => new KeyValuePair<string, string>(question.Id, c.Id)));
                    break;
                case QuestionType.Text when _random.Next(3) == 0:
                    var comments = lang == "en" ? EnglishComments : FrenchComments;
                    fields.Add(new(question.Id, comments[_random.Next(comments.Length)]));
                    break;
            }
        }
        return fields;
    }

    [GeneratedRegex(@"https?://[^/\s]+(?<path>/q/[A-Za-z0-9_-]{22})")]
    private static partial Regex Link();
}
