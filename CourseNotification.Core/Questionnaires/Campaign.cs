using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace CourseNotification.Questionnaires;

/// <summary>What starts a campaign's clock for a learner: their completion of the course, the end of their access, or their completion of one activity.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<CampaignTrigger>))]
public enum CampaignTrigger
{
    [JsonStringEnumMemberName("completed")] Completed,
    [JsonStringEnumMemberName("accessEnd")] AccessEnd,
    [JsonStringEnumMemberName("activityCompleted")] ActivityCompleted,
}

/// <summary>
/// A questionnaire campaign of a course (docs/questionnaires.md): which questionnaire, sent how long after
/// which moment, reminded after how many days to those who have not answered, and how long the link
/// lives after the last reminder. Its invitation and reminders are signals named by
/// <see cref="QuestionnaireSignals"/>.
/// </summary>
public sealed partial record Campaign
{
    public required string Id { get; init; }
    public string Questionnaire { get; init; } = QuestionnaireCatalog.Hot;
    public CampaignTrigger Trigger { get; init; } = CampaignTrigger.Completed;
    /// <summary>With <see cref="CampaignTrigger.ActivityCompleted"/>: the activity's course module id (Moodle's <c>course_modules.id</c>, the <c>cmid</c> of its links).</summary>
    public long? ActivityId { get; init; }
    public int DelayDays { get; init; }
    /// <summary>Days after the invitation went out, one per reminder, increasing.</summary>
    public IReadOnlyList<int> ReminderDays { get; init; } = [7, 14];
    /// <summary>Days the link keeps working after the last reminder's day.</summary>
    public int LinkLifetimeDays { get; init; } = 30;
    public bool Enabled { get; init; } = true;

    /// <summary>The signal keys of this campaign: the invitation, then each reminder.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Signals =>
        [QuestionnaireSignals.Invitation(Id), .. Enumerable.Range(1, ReminderDays.Count).Select(n => QuestionnaireSignals.Reminder(Id, n))];

    /// <summary>
    /// The activity's name wherever the campaign is shown, or null for another trigger. Neither Moodle's
    /// completion event nor the plugin's state carries an activity's name, so it is "activity N".
    /// </summary>
    [JsonIgnore]
    public string? ActivityLabel => Trigger == CampaignTrigger.ActivityCompleted && ActivityId is { } id
        ? "activity " + id.ToString(CultureInfo.InvariantCulture)
        : null;

    /// <summary>How long after the invitation went out its links stop working.</summary>
    [JsonIgnore]
    public TimeSpan LinkValidity => TimeSpan.FromDays((ReminderDays.Count > 0 ? ReminderDays[^1] : 0) + LinkLifetimeDays);

    /// <summary>Everything wrong with the campaign, each naming its field under <paramref name="field"/>.</summary>
    public IEnumerable<(string Field, string Message)> Problems(string field, Func<string, bool> questionnaireExists)
    {
        if (!IdPattern().IsMatch(Id ?? ""))
        {
            yield return ($"{field}.id", "a campaign id is 1 to 20 lower-case letters, digits or dashes.");
        }
        if (!questionnaireExists(Questionnaire ?? ""))
        {
            yield return ($"{field}.questionnaire", $"no questionnaire '{Questionnaire}'.");
        }
        if (!Enum.IsDefined(Trigger))
        {
            yield return ($"{field}.trigger", "the trigger is completed, accessEnd or activityCompleted.");
        }
        else if (Trigger == CampaignTrigger.ActivityCompleted && ActivityId is not > 0)
        {
            yield return ($"{field}.activityId", "an activityCompleted campaign names its activity: the course module id (cmid), a positive number.");
        }
        else if (Trigger != CampaignTrigger.ActivityCompleted && ActivityId is not null)
        {
            yield return ($"{field}.activityId", "only an activityCompleted campaign names an activity.");
        }
        if (DelayDays is < 0 or > 365)
        {
            yield return ($"{field}.delayDays", "the delay is 0 to 365 days.");
        }
        if (ReminderDays is null || ReminderDays.Count > 5)
        {
            yield return ($"{field}.reminderDays", "at most 5 reminders.");
        }
        else
        {
            for (var i = 0; i < ReminderDays.Count; i++)
            {
                if (ReminderDays[i] is < 1 or > 180 || (i > 0 && ReminderDays[i] <= ReminderDays[i - 1]))
                {
                    yield return ($"{field}.reminderDays[{i.ToString(CultureInfo.InvariantCulture)}]", "reminder days are 1 to 180, each later than the one before.");
                }
            }
        }
        if (LinkLifetimeDays is < 1 or > 365)
        {
            yield return ($"{field}.linkLifetimeDays", "the link lives 1 to 365 days after the last reminder.");
        }
    }

    [GeneratedRegex(@"\A[a-z0-9-]{1,20}\z")]
    private static partial Regex IdPattern();
}

/// <summary>
/// The signal keys of questionnaire campaigns: <c>questionnaire:&lt;campaign&gt;</c> for the invitation,
/// <c>questionnaire:&lt;campaign&gt;:reminder&lt;n&gt;</c> for reminder n (from 1), and the ledger row
/// <c>questionnaire:&lt;campaign&gt;:answered</c> that records an answer (it stops the reminders).
/// </summary>
public static class QuestionnaireSignals
{
    public const string Prefix = "questionnaire:";
    private const string ReminderPart = ":reminder";

    public static string Invitation(string campaign) => Prefix + campaign;

    public static string Reminder(string campaign, int number) => $"{Prefix}{campaign}{ReminderPart}{number.ToString(CultureInfo.InvariantCulture)}";

    public static string Answered(string campaign) => Prefix + campaign + ":answered";

    /// <summary>Whether a ledger row's signal records an answer (not a mail).</summary>
    public static bool IsAnswered(string signal) =>
        IsQuestionnaire(signal) && signal.EndsWith(":answered", StringComparison.Ordinal) && Parse(signal) is null;

    public static bool IsQuestionnaire(string signal) => signal.StartsWith(Prefix, StringComparison.Ordinal);

    /// <summary>The campaign and reminder number (0: the invitation) of a questionnaire signal, or null for any other signal.</summary>
    public static (string Campaign, int Reminder)? Parse(string signal)
    {
        if (!IsQuestionnaire(signal))
        {
            return null;
        }
        var rest = signal[Prefix.Length..];
        var at = rest.IndexOf(ReminderPart, StringComparison.Ordinal);
        if (at < 0)
        {
            return rest.Contains(':', StringComparison.Ordinal) ? null : (rest, 0);
        }
        return int.TryParse(rest.AsSpan(at + ReminderPart.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? (rest[..at], n)
            : null;
    }
}
