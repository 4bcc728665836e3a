namespace CourseNotification.Signals;

/// <summary>The reasons the engine gives (docs/signals.md, "Decisions"), as constants so deciding allocates nothing.</summary>
public static class Reasons
{
    public const string PlatformOff = "platform switched off";
    public const string CourseOff = "course notifications switched off";
    public const string SignalOff = "signal switched off";
    public const string CourseHidden = "course hidden";
    public const string LearnerUnknown = "learner unknown (no profile received from Moodle yet)";
    public const string Suspended = "learner suspended";
    public const string OptedOut = "learner opted out";
    public const string NoActiveEnrolment = "no active enrolment";
    public const string NotALearner = "not a learner";
    public const string NoStart = "no start date known";
    public const string Claimed = "being sent (claimed)";
    public const string Queued = "queued, paced to the provider's quota";

    public const string Accessed = "already accessed the course";
    public const string Completed = "completed";
    public const string NotCompleted = "not completed";
    public const string ActivityNotCompleted = "activity not completed";
    public const string NoEndDate = "no end date";
    public const string AccessEnded = "access ended";
    public const string AccessEndsFirst = "access ends before it would be sent";
    public const string CourseNotStarted = "course not started";
    public const string NeverAccessedCallsCover = "never accessed: the first and second calls cover it";

    public const string WaitsForItsDay = "waits for its day and send hour";
    public const string DueNow = "due";
    public const string MissedWindow = "not sent within its catch-up window";
    public const string SupersededBySecondCall = "superseded by the second call";
    public const string SupersededByNearer = "superseded by a nearer end reminder";
    public const string NextAlertOfSpell = "next alert of this inactivity spell";
    public const string LastAlertOfSpellSent = "all alerts of this inactivity spell sent";
    public const string CallRecentlySent = "a first or second call went out less than the inactivity delay ago";

    public const string AskedAgain = "asked to be sent again";
    public const string SentAgain = "sent again on request";

    public const string CampaignOff = "questionnaire campaign switched off";
    public const string Answered = "answered the questionnaire";
    public const string InvitationNotSent = "waits for the questionnaire invitation to go out";
    public const string SupersededByLaterReminder = "superseded by a later questionnaire reminder";
}
