using Microsoft.AspNetCore.Http;

namespace CourseNotification.Http;

/// <summary>
/// Every HTTP route of the app, once: the function's name, method, path template and who may call it,
/// and the handler the local host (the Cli's <c>serve</c>) maps. The local host maps exactly this table;
/// the Functions app declares each route as an <c>[HttpTrigger]</c> (attributes take constants only), and
/// tests hold the trigger attributes as the worker reports them (functions.metadata), the local host's
/// endpoints and <c>openapi.json</c>'s paths to this table, so that a route cannot exist in one host only.
/// </summary>
/// <remarks>
/// To add a route: a line here (the handler calls the Core endpoint class), an <c>[HttpTrigger]</c> in
/// CourseNotification.Functions/HttpTriggers.cs with the same name, method, route and level calling the
/// same endpoint, and its operation in <c>openapi.json</c> (where the guard reads whether it is open and
/// what body it takes).
/// </remarks>
public static class RouteTable
{
    public static IReadOnlyList<AppRoute> All { get; } =
    [
        new("PutSnapshots", "PUT", "api/snapshots", RouteAccess.Function, (HttpRequest r, ApiEndpoints api, CancellationToken ct) => api.PutSnapshotsAsync(r, ct)),
        new("PostMoodleEvents", "POST", "api/moodle/events", RouteAccess.Function, (HttpRequest r, ApiEndpoints api, CancellationToken ct) => api.PostMoodleEventsAsync(r, ct)),
        new("GetPreview", "GET", "api/preview", RouteAccess.Function, (HttpRequest r, ApiEndpoints api, CancellationToken ct) => api.GetPreviewAsync(r, ct)),
        new("GetUnsubscribe", "GET", "u/{token}", RouteAccess.Anonymous, (string token, UnsubscribeEndpoints pages, CancellationToken ct) => pages.GetAsync(token, ct)),
        new("PostUnsubscribe", "POST", "u/{token}", RouteAccess.Anonymous, (string token, UnsubscribeEndpoints pages, CancellationToken ct) => pages.PostAsync(token, ct)),
        new("GetCourseSettings", "GET", "api/courses/{id:long}/settings", RouteAccess.Course, (long id, AdminEndpoints admin, CancellationToken ct) => admin.GetCourseSettingsAsync(id, ct)),
        new("PutCourseSettings", "PUT", "api/courses/{id:long}/settings", RouteAccess.Course, (long id, HttpRequest r, AdminEndpoints admin, CancellationToken ct) => admin.PutCourseSettingsAsync(id, r, ct)),
        new("GetCourseStatus", "GET", "api/courses/{id:long}/status", RouteAccess.Course, (long id, HttpRequest r, StatusEndpoints status, CancellationToken ct) => status.GetJsonAsync(id, r, ct)),
        new("GetCourseStatusPage", "GET", "courses/{id:long}/status", RouteAccess.Course, (long id, HttpRequest r, StatusEndpoints status, CancellationToken ct) => status.GetHtmlAsync(id, r, ct)),
        new("GetOverview", "GET", "api/overview", RouteAccess.Function, (HttpRequest r, OverviewEndpoints overview, CancellationToken ct) => overview.GetJsonAsync(r, ct)),
        new("GetOverviewPage", "GET", "overview", RouteAccess.Function, (HttpRequest r, OverviewEndpoints overview, CancellationToken ct) => overview.GetHtmlAsync(r, ct)),
        new("GetDigest", "GET", "api/people/{id:long}/digest", RouteAccess.Function, (long id, HttpRequest r, DigestEndpoints digests, CancellationToken ct) => digests.GetJsonAsync(id, r, ct)),
        new("PostDigestTest", "POST", "api/people/{id:long}/digest/test", RouteAccess.Function, (long id, HttpRequest r, DigestEndpoints digests, CancellationToken ct) => digests.PostTestAsync(id, r, ct)),
        new("ListQuestionnaires", "GET", "api/questionnaires", RouteAccess.Function, (QuestionnaireEndpoints questionnaires, CancellationToken ct) => questionnaires.ListAsync(ct)),
        new("GetQuestionnaire", "GET", "api/questionnaires/{id}", RouteAccess.Function, (string id, QuestionnaireEndpoints questionnaires, CancellationToken ct) => questionnaires.GetAsync(id, ct)),
        new("PutQuestionnaire", "PUT", "api/questionnaires/{id}", RouteAccess.Function, (string id, HttpRequest r, QuestionnaireEndpoints questionnaires, CancellationToken ct) => questionnaires.PutAsync(id, r, ct)),
        new("PostQuestionnaireTest", "POST", "api/courses/{id:long}/questionnaires/{campaign}/test", RouteAccess.Course, (long id, string campaign, HttpRequest r, QuestionnaireEndpoints questionnaires, CancellationToken ct) => questionnaires.PostTestAsync(id, campaign, r, ct)),
        new("GetLearnerMail", "GET", "api/courses/{id:long}/learners/{learnerId:long}/mails/{signal}", RouteAccess.Course, (long id, long learnerId, string signal, HttpRequest r, MailPreviewEndpoints mails, CancellationToken ct) => mails.GetJsonAsync(id, learnerId, signal, r, ct)),
        new("GetLearnerMailPage", "GET", "courses/{id:long}/learners/{learnerId:long}/mails/{signal}", RouteAccess.Course, (long id, long learnerId, string signal, HttpRequest r, MailPreviewEndpoints mails, CancellationToken ct) => mails.GetHtmlAsync(id, learnerId, signal, r, ct)),
        new("PostLearnerMailTest", "POST", "api/courses/{id:long}/learners/{learnerId:long}/mails/{signal}/test", RouteAccess.Course, (long id, long learnerId, string signal, HttpRequest r, MailPreviewEndpoints mails, CancellationToken ct) => mails.PostTestAsync(id, learnerId, signal, r, ct)),
        new("GetSettingsEditor", "GET", "courses/{id:long}/settings", RouteAccess.Course, (long id, HttpRequest r, SettingsEditorEndpoints editor, CancellationToken ct) => editor.GetAsync(id, r, ct)),
        new("PostSettingsEditor", "POST", "courses/{id:long}/settings", RouteAccess.Course, (long id, HttpRequest r, SettingsEditorEndpoints editor, CancellationToken ct) => editor.PostAsync(id, r, ct)),
        new("PostSettingsPreview", "POST", "courses/{id:long}/settings/preview", RouteAccess.Course, (long id, HttpRequest r, SettingsEditorEndpoints editor, CancellationToken ct) => editor.PostPreviewAsync(id, r, ct)),
        new("GetSettingsEditorScript", "GET", "assets/settings-editor.js", RouteAccess.Anonymous, SettingsEditorEndpoints.GetScript),
        new("GetResendPage", "GET", "courses/{id:long}/learners/{learnerId:long}/mails/{signal}/resend", RouteAccess.Course, (long id, long learnerId, string signal, HttpRequest r, ResendEndpoints resend, CancellationToken ct) => resend.GetAsync(id, learnerId, signal, r, ct)),
        new("PostResend", "POST", "courses/{id:long}/learners/{learnerId:long}/mails/{signal}/resend", RouteAccess.Course, (long id, long learnerId, string signal, HttpRequest r, ResendEndpoints resend, CancellationToken ct) => resend.PostAsync(id, learnerId, signal, r, ct)),
        new("GetCourseEnter", "GET", "courses/{id:long}/enter", RouteAccess.Anonymous, (long id, HttpRequest r, CourseAccessEndpoints access, CancellationToken ct) => access.EnterAsync(id, r, ct)),
        new("PostCourseCounts", "POST", "api/courses/{id:long}/counts", RouteAccess.Anonymous, (long id, HttpRequest r, CourseAccessEndpoints access, CancellationToken ct) => access.PostCountsAsync(id, r, ct)),
        new("GetQualiopiReport", "GET", "api/reports/qualiopi", RouteAccess.Function, (HttpRequest r, ReportEndpoints reports, CancellationToken ct) => reports.GetQualiopiAsync(r, ct)),
        new("GetAnswerPage", "GET", "q/{token}", RouteAccess.Anonymous, (string token, AnswerEndpoints answers, CancellationToken ct) => answers.GetAsync(token, ct)),
        new("PostAnswers", "POST", "q/{token}", RouteAccess.Anonymous, (string token, HttpRequest r, AnswerEndpoints answers, CancellationToken ct) => answers.PostAsync(token, r, ct)),
        new("ExportLearner", "GET", "api/learners/{id:long}/export", RouteAccess.Function, (long id, AdminEndpoints admin, CancellationToken ct) => admin.ExportLearnerAsync(id, ct)),
        new("EraseLearner", "DELETE", "api/learners/{id:long}", RouteAccess.Function, (long id, AdminEndpoints admin, CancellationToken ct) => admin.EraseLearnerAsync(id, ct)),
        new("PostCsvImport", "POST", "api/import/csv", RouteAccess.Function, (HttpRequest r, ApiEndpoints api, CancellationToken ct) => api.PostCsvImportAsync(r, ct)),
        new("PostRedrive", "POST", "api/poison/redrive", RouteAccess.Admin, (ApiEndpoints api, CancellationToken ct) => api.PostRedriveAsync(ct)),
        new("GetOpenApi", "GET", "api/openapi.json", RouteAccess.Anonymous, ApiEndpoints.GetOpenApi),
        new("PostScan", "POST", "api/scan", RouteAccess.Admin, (HttpRequest r, ApiEndpoints api, CancellationToken ct) => api.PostScanAsync(r, ct)),
    ];
}

/// <summary>Who may call a route: the Functions host's authorization levels (anonymous, a function key, the host's admin key), or a course's own pages.</summary>
public enum RouteAccess
{
    Anonymous,
    Function,
    Admin,

    /// <summary>
    /// A course's page or API: anonymous to the Functions host, so that a teacher's course session (from
    /// Moodle's signed link) reaches it; the app's guard then asks for that session, with the permission
    /// <c>openapi.json</c> names, or an administrator's key.
    /// </summary>
    Course,
}

/// <summary>One route: the Functions name, the HTTP method, the path template (no leading slash, constraints as ASP.NET Core writes them), the access level, and the local host's handler.</summary>
public sealed record AppRoute(string Name, string Method, string Template, RouteAccess Access, Delegate Handler)
{
    /// <summary>The authorization level of its <c>[HttpTrigger]</c>: a course route is anonymous to the host.</summary>
    public string HostLevel => (Access == RouteAccess.Course ? RouteAccess.Anonymous : Access).ToString();
}
