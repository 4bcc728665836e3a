using System.Globalization;

namespace CourseNotification.Questionnaires;

/// <summary>A checked submission: the values to store, or the problems to show next to their questions.</summary>
public sealed record CheckedAnswers(
    IReadOnlyDictionary<string, IReadOnlyList<string>> Values, IReadOnlyDictionary<string, string> Problems)
{
    public bool IsValid => Problems.Count == 0;
}

/// <summary>
/// Checks a submitted form against its questionnaire (spec: missing required, out of range, unknown
/// choice), all questions at once, with messages in the learner's language. Values are kept as strings,
/// one per choice; a question left empty is absent. Fields that are not questions are ignored.
/// </summary>
public static class AnswerValidation
{
    /// <summary>The longest free comment kept (longer ones are refused, not cut).</summary>
    public const int MaxTextLength = 4000;

    public static CheckedAnswers Check(QuestionnaireDefinition definition, IReadOnlyDictionary<string, IReadOnlyList<string>> form, string lang)
    {
        var values = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var fr = lang == "fr";
        foreach (var question in definition.Questions)
        {
            var given = (form.GetValueOrDefault(question.Id) ?? []).Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
            if (given.Count == 0)
            {
                if (question.Required)
                {
                    problems[question.Id] = fr ? "Merci de répondre à cette question." : "Please answer this question.";
                }
                continue;
            }
            if (Problem(question, given, fr) is { } problem)
            {
                problems[question.Id] = problem;
                continue;
            }
            values[question.Id] = given;
        }
        return new CheckedAnswers(values, problems);
    }

    private static string? Problem(Question question, List<string> given, bool fr)
    {
        if (question.Type != QuestionType.MultipleChoice && given.Count > 1)
        {
            return fr ? "Une seule réponse est possible." : "Only one answer is possible.";
        }
        var value = given[0];
        switch (question.Type)
        {
            case QuestionType.Scale5:
                return InRange(value, 1, 5) ? null : fr ? "Choisissez une note de 1 à 5." : "Choose a score from 1 to 5.";
            case QuestionType.Nps:
                return InRange(value, 0, 10) ? null : fr ? "Choisissez une note de 0 à 10." : "Choose a score from 0 to 10.";
            case QuestionType.YesNo:
                return value is "yes" or "no" ? null : fr ? "Répondez oui ou non." : "Answer yes or no.";
            case QuestionType.SingleChoice:
            case QuestionType.MultipleChoice:
                var known = question.Choices?.Select(c => c.Id).ToHashSet(StringComparer.Ordinal) ?? [];
                if (given.Any(v => !known.Contains(v)) || given.Distinct(StringComparer.Ordinal).Count() != given.Count)
                {
                    return fr ? "Choisissez parmi les réponses proposées." : "Choose among the answers offered.";
                }
                return null;
            default:
                return value.Length <= MaxTextLength ? null
                    : fr ? $"Votre commentaire dépasse {MaxTextLength} caractères ({value.Length}) : raccourcissez-le."
                    : $"Your comment is longer than {MaxTextLength} characters ({value.Length}): please shorten it.";
        }
    }

    private static bool InRange(string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max;
}
