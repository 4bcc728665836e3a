using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using CourseNotification.Templates;

namespace CourseNotification.Questionnaires;

/// <summary>The kinds of question of docs/questionnaires.md.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<QuestionType>))]
public enum QuestionType
{
    [JsonStringEnumMemberName("scale5")] Scale5,
    [JsonStringEnumMemberName("nps")] Nps,
    [JsonStringEnumMemberName("single")] SingleChoice,
    [JsonStringEnumMemberName("multi")] MultipleChoice,
    [JsonStringEnumMemberName("yesno")] YesNo,
    [JsonStringEnumMemberName("text")] Text,
}

/// <summary>A choice of a single or multi question; labels per language.</summary>
public sealed record Choice(string Id, IReadOnlyDictionary<string, string> Label);

/// <summary>One question; a scale may name its two ends.</summary>
public sealed record Question(
    string Id,
    QuestionType Type,
    IReadOnlyDictionary<string, string> Label,
    bool Required = false,
    IReadOnlyList<Choice>? Choices = null,
    IReadOnlyDictionary<string, string>? MinLabel = null,
    IReadOnlyDictionary<string, string>? MaxLabel = null);

/// <summary>
/// A questionnaire: a stable id, a title and questions with labels in every language the site writes
/// in, anonymous or named, and its kind for reports (hot: end of course; cold: weeks later).
/// </summary>
public sealed partial record QuestionnaireDefinition(
    string Id,
    IReadOnlyDictionary<string, string> Title,
    IReadOnlyList<Question> Questions,
    bool Anonymous = true,
    string Kind = "hot")
{
    /// <summary>Everything wrong with the definition, each with the field it is about (empty: valid).</summary>
    public IEnumerable<(string Field, string Problem)> Problems()
    {
        if (!IdPattern().IsMatch(Id ?? ""))
        {
            yield return ("id", "an id is 1 to 40 lower-case letters, digits or dashes.");
        }
        if (Kind is not ("hot" or "cold"))
        {
            yield return ("kind", "kind is hot or cold.");
        }
        foreach (var problem in MissingLanguages("title", Title))
        {
            yield return problem;
        }
        if (Questions is null || Questions.Count == 0)
        {
            yield return ("questions", "a questionnaire has at least one question.");
            yield break;
        }
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Questions.Count; i++)
        {
            var question = Questions[i];
            var field = $"questions[{i}]";
            if (!IdPattern().IsMatch(question.Id ?? ""))
            {
                yield return ($"{field}.id", "a question id is 1 to 40 lower-case letters, digits or dashes.");
            }
            else if (!seen.Add(question.Id!))
            {
                yield return ($"{field}.id", $"'{question.Id}' is used by another question.");
            }
            foreach (var problem in MissingLanguages($"{field}.label", question.Label))
            {
                yield return problem;
            }
            var hasChoices = question.Choices is { Count: > 0 };
            if (question.Type is QuestionType.SingleChoice or QuestionType.MultipleChoice)
            {
                if (question.Choices is not { Count: >= 2 })
                {
                    yield return ($"{field}.choices", "a single or multi question has at least two choices.");
                    continue;
                }
                var choiceIds = new HashSet<string>(StringComparer.Ordinal);
                for (var c = 0; c < question.Choices.Count; c++)
                {
                    var choice = question.Choices[c];
                    if (!IdPattern().IsMatch(choice.Id ?? "") || !choiceIds.Add(choice.Id!))
                    {
                        yield return ($"{field}.choices[{c}].id", "choice ids are unique, lower-case letters, digits or dashes.");
                    }
                    foreach (var problem in MissingLanguages($"{field}.choices[{c}].label", choice.Label))
                    {
                        yield return problem;
                    }
                }
            }
            else if (hasChoices)
            {
                yield return ($"{field}.choices", "only single and multi questions have choices.");
            }
        }
    }

    private static IEnumerable<(string, string)> MissingLanguages(string field, IReadOnlyDictionary<string, string>? labels)
    {
        foreach (var lang in Languages.Supported)
        {
            if (labels is null || !labels.TryGetValue(lang, out var text) || string.IsNullOrWhiteSpace(text))
            {
                yield return ($"{field}.{lang}", $"a label in '{lang}' is required (the site writes in {string.Join(" and ", Languages.Supported)}).");
            }
        }
    }

    /// <summary>Whether a text can be a questionnaire's (or a question's, a choice's) id.</summary>
    public static bool IsValidId(string? id) => IdPattern().IsMatch(id ?? "");

    [GeneratedRegex(@"\A[a-z0-9-]{1,40}\z")]
    private static partial Regex IdPattern();
}
