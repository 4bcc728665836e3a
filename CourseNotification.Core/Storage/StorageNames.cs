namespace CourseNotification.Storage;

/// <summary>Names of every table and queue the service uses (also created by infra and by <see cref="StorageInitializer"/>).</summary>
public static class StorageNames
{
    public const string CoursesTable = "courses";
    public const string LearnersTable = "learners";
    public const string SnapshotsTable = "snapshots";
    /// <summary>Index learner -> courses, so a learner's change reaches each of their snapshots.</summary>
    public const string LearnerCoursesTable = "learnercourses";
    public const string LedgerTable = "ledger";
    public const string CourseSettingsTable = "coursesettings";
    /// <summary>Keys the service makes for itself (the link-signing key).</summary>
    public const string SecretsTable = "secrets";
    /// <summary>The provider quota windows shared by every instance.</summary>
    public const string QuotaTable = "quota";
    /// <summary>Ids of signed webhooks already accepted (replay protection).</summary>
    public const string WebhooksTable = "webhooks";
    public const string QuestionnairesTable = "questionnaires";
    /// <summary>Questionnaire links (hashes of their tokens) and the invitation each stands for.</summary>
    public const string InvitationsTable = "invitations";
    /// <summary>Questionnaire answers, per course (anonymous ones without any link to the person).</summary>
    public const string AnswersTable = "answers";
    /// <summary>What the scans queued that may still wait in the notifications queue (a row per batch).</summary>
    public const string QueuedTable = "queued";
    /// <summary>The intake's health (last Moodle event, last pull) for the overview.</summary>
    public const string HealthTable = "health";

    public const string ScanCourseQueue = "scan-course";
    public const string NotificationsQueue = "notifications";

    public static IReadOnlyList<string> Tables { get; } =
        [CoursesTable, LearnersTable, SnapshotsTable, LearnerCoursesTable, LedgerTable, CourseSettingsTable, SecretsTable, QuotaTable, WebhooksTable, QuestionnairesTable, InvitationsTable, AnswersTable, QueuedTable, HealthTable];

    public static IReadOnlyList<string> Queues { get; } =
        [ScanCourseQueue, NotificationsQueue, PoisonQueueOf(ScanCourseQueue), PoisonQueueOf(NotificationsQueue)];

    /// <summary>The Functions host's convention: failed messages go to "&lt;queue&gt;-poison".</summary>
    public static string PoisonQueueOf(string queue) => queue + "-poison";

    /// <summary>Moodle ids as fixed-width keys, so rows sort numerically and ranges line up across tables.</summary>
    public static string Key(long id) => id.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    public static long ParseKey(string key) => long.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
}
