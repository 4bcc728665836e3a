using CourseNotification.Questionnaires;
using CourseNotification.Storage;

namespace CourseNotification.Reports;

/// <summary>
/// Counts the answers to one questionnaire as they stream by: per question, how many answered it and how
/// often each value was given. Tallies of several courses add up into the whole scope's.
/// </summary>
internal sealed class AnswerTally
{
    private readonly QuestionnaireDefinition _definition;
    private readonly Dictionary<string, int>[] _counts;
    private readonly int[] _respondents;

    public AnswerTally(QuestionnaireDefinition definition)
    {
        _definition = definition;
        _counts = [.. definition.Questions.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal))];
        _respondents = new int[definition.Questions.Count];
    }

    public int Answers { get; private set; }

    public void Add(StoredAnswer answer)
    {
        Answers++;
        var questions = _definition.Questions;
        for (var i = 0; i < questions.Count; i++)
        {
            if (!answer.Values.TryGetValue(questions[i].Id, out var values) || values.Count == 0)
            {
                continue;
            }
            _respondents[i]++;
            if (questions[i].Type == QuestionType.Text)
            {
                continue;
            }
            var counts = _counts[i];
            foreach (var value in values)
            {
                counts[value] = counts.GetValueOrDefault(value) + 1;
            }
        }
    }

    public void Add(AnswerTally other)
    {
        Answers += other.Answers;
        for (var i = 0; i < _counts.Length; i++)
        {
            _respondents[i] += other._respondents[i];
            foreach (var (value, count) in other._counts[i])
            {
                _counts[i][value] = _counts[i].GetValueOrDefault(value) + count;
            }
        }
    }

    /// <summary>Share of scale answers at 4 or 5, their mean, and the NPS over every 0-10 answer.</summary>
    public Headline Headline()
    {
        var (scale, nps) = (new ScaleSums(), new ScaleSums());
        for (var i = 0; i < _counts.Length; i++)
        {
            switch (_definition.Questions[i].Type)
            {
                case QuestionType.Scale5:
                    scale.Add(_counts[i], 1, 5);
                    break;
                case QuestionType.Nps:
                    nps.Add(_counts[i], 0, 10);
                    break;
            }
        }
        return new Headline(scale.TopTwo, scale.Mean, nps.Nps);
    }

    public IReadOnlyList<QuestionFigures> Questions(string lang)
    {
        var figures = new List<QuestionFigures>();
        for (var i = 0; i < _counts.Length; i++)
        {
            var question = _definition.Questions[i];
            var sums = new ScaleSums();
            var bars = Bars(question, _counts[i], lang);
            switch (question.Type)
            {
                case QuestionType.Scale5:
                    sums.Add(_counts[i], 1, 5);
                    figures.Add(new QuestionFigures(question.Id, question.Label[lang], question.Type, _respondents[i], bars, sums.Mean, sums.TopTwo, null));
                    break;
                case QuestionType.Nps:
                    sums.Add(_counts[i], 0, 10);
                    figures.Add(new QuestionFigures(question.Id, question.Label[lang], question.Type, _respondents[i], bars, sums.Mean, null, sums.Nps));
                    break;
                default:
                    figures.Add(new QuestionFigures(question.Id, question.Label[lang], question.Type, _respondents[i], bars, null, null, null));
                    break;
            }
        }
        return figures;
    }

    /// <summary>The scale questions, least satisfied first (unanswered ones last).</summary>
    public IReadOnlyList<CourseQuestion> WorstFirst(string lang) =>
        [.. Questions(lang)
            .Where(q => q.Type == QuestionType.Scale5)
            .Select(q => new CourseQuestion(q.Id, q.Label, q.Count, q.Mean, q.Satisfied))
            .OrderBy(q => q.Satisfied ?? double.MaxValue).ThenBy(q => q.Mean ?? double.MaxValue)];

    private static List<Bar> Bars(Question question, Dictionary<string, int> counts, string lang)
    {
        static string Text(int n) => n.ToString(System.Globalization.CultureInfo.InvariantCulture);
        IEnumerable<(string Value, string Label)> values = question.Type switch
        {
            QuestionType.Scale5 => Enumerable.Range(1, 5).Select(n => (Text(n), Text(n))),
            QuestionType.Nps => Enumerable.Range(0, 11).Select(n => (Text(n), Text(n))),
            QuestionType.YesNo => [("yes", lang == "fr" ? "Oui" : "Yes"), ("no", lang == "fr" ? "Non" : "No")],
            QuestionType.SingleChoice or QuestionType.MultipleChoice => (question.Choices ?? []).Select(c => (c.Id, c.Label[lang])),
            _ => [],
        };
        return [.. values.Select(v => new Bar(v.Value, v.Label, counts.GetValueOrDefault(v.Value)))];
    }

    /// <summary>Sums over numeric answers between min and max (anything else is ignored).</summary>
    private sealed class ScaleSums
    {
        private long _count, _sum, _topTwo, _promoters, _detractors;

        public double? Mean => _count == 0 ? null : (double)_sum / _count;
        public double? TopTwo => _count == 0 ? null : (double)_topTwo / _count;
        public double? Nps => _count == 0 ? null : 100.0 * (_promoters - _detractors) / _count;

        public void Add(Dictionary<string, int> counts, int min, int max)
        {
            foreach (var (value, count) in counts)
            {
                if (!int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < min || n > max)
                {
                    continue;
                }
                _count += count;
                _sum += (long)n * count;
                if (max == 5 && n >= 4)
                {
                    _topTwo += count;
                }
                if (max == 10)
                {
                    _promoters += n >= 9 ? count : 0;
                    _detractors += n <= 6 ? count : 0;
                }
            }
        }
    }
}
