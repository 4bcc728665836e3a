using CourseNotification.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace CourseNotification.Functions;

/// <summary>
/// HTTP triggers: each maps one route to the shared <see cref="ApiEndpoints"/>. A course's routes are
/// anonymous to the host so that a teacher's session from Moodle opens them: the worker's guard
/// (<see cref="HttpGuardMiddleware"/>) then asks for that course's session, App Service sign-in or
/// <c>Access__AdminKey</c>.
/// </summary>
internal sealed class HttpTriggers(
    ApiEndpoints api, AdminEndpoints admin, StatusEndpoints status, OverviewEndpoints overview, QuestionnaireEndpoints questionnaires,
    UnsubscribeEndpoints unsubscribe, AnswerEndpoints answers, ReportEndpoints reports,
    MailPreviewEndpoints mails, SettingsEditorEndpoints editor, ResendEndpoints resend, DigestEndpoints digests, CourseAccessEndpoints access)
{
    [Function("PutSnapshots")]
    public Task<IResult> PutSnapshots(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "api/snapshots")] HttpRequest request, CancellationToken cancellationToken) =>
        api.PutSnapshotsAsync(request, cancellationToken);

    [Function("PostMoodleEvents")]
    public Task<IResult> PostMoodleEvents(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/moodle/events")] HttpRequest request, CancellationToken cancellationToken) =>
        api.PostMoodleEventsAsync(request, cancellationToken);

    [Function("GetPreview")]
    public Task<IResult> GetPreview(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/preview")] HttpRequest request, CancellationToken cancellationToken) =>
        api.GetPreviewAsync(request, cancellationToken);

    [Function("GetUnsubscribe")]
    public Task<IResult> GetUnsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "u/{token}")] HttpRequest request, string token, CancellationToken cancellationToken) =>
        unsubscribe.GetAsync(token, cancellationToken);

    [Function("PostUnsubscribe")]
    public Task<IResult> PostUnsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "u/{token}")] HttpRequest request, string token, CancellationToken cancellationToken) =>
        unsubscribe.PostAsync(token, cancellationToken);

    [Function("GetCourseSettings")]
    public Task<IResult> GetCourseSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/courses/{id:long}/settings")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        admin.GetCourseSettingsAsync(id, cancellationToken);

    [Function("PutCourseSettings")]
    public Task<IResult> PutCourseSettings(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "api/courses/{id:long}/settings")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        admin.PutCourseSettingsAsync(id, request, cancellationToken);

    [Function("GetCourseStatus")]
    public Task<IResult> GetCourseStatus(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/courses/{id:long}/status")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        status.GetJsonAsync(id, request, cancellationToken);

    [Function("GetCourseStatusPage")]
    public Task<IResult> GetCourseStatusPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "courses/{id:long}/status")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        status.GetHtmlAsync(id, request, cancellationToken);

    [Function("GetOverview")]
    public Task<IResult> GetOverview(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/overview")] HttpRequest request, CancellationToken cancellationToken) =>
        overview.GetJsonAsync(request, cancellationToken);

    [Function("GetOverviewPage")]
    public Task<IResult> GetOverviewPage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "overview")] HttpRequest request, CancellationToken cancellationToken) =>
        overview.GetHtmlAsync(request, cancellationToken);

    [Function("GetDigest")]
    public Task<IResult> GetDigest(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/people/{id:long}/digest")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        digests.GetJsonAsync(id, request, cancellationToken);

    [Function("PostDigestTest")]
    public Task<IResult> PostDigestTest(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/people/{id:long}/digest/test")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        digests.PostTestAsync(id, request, cancellationToken);

    [Function("ListQuestionnaires")]
    public Task<IResult> ListQuestionnaires(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/questionnaires")] HttpRequest request, CancellationToken cancellationToken) =>
        questionnaires.ListAsync(cancellationToken);

    [Function("GetQuestionnaire")]
    public Task<IResult> GetQuestionnaire(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/questionnaires/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        questionnaires.GetAsync(id, cancellationToken);

    [Function("PutQuestionnaire")]
    public Task<IResult> PutQuestionnaire(
        [HttpTrigger(AuthorizationLevel.Function, "put", Route = "api/questionnaires/{id}")] HttpRequest request, string id, CancellationToken cancellationToken) =>
        questionnaires.PutAsync(id, request, cancellationToken);

    [Function("PostQuestionnaireTest")]
    public Task<IResult> PostQuestionnaireTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/courses/{id:long}/questionnaires/{campaign}/test")] HttpRequest request, long id, string campaign, CancellationToken cancellationToken) =>
        questionnaires.PostTestAsync(id, campaign, request, cancellationToken);

    [Function("GetLearnerMail")]
    public Task<IResult> GetLearnerMail(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/courses/{id:long}/learners/{learnerId:long}/mails/{signal}")] HttpRequest request, long id, long learnerId, string signal, CancellationToken cancellationToken) =>
        mails.GetJsonAsync(id, learnerId, signal, request, cancellationToken);

    [Function("GetLearnerMailPage")]
    public Task<IResult> GetLearnerMailPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "courses/{id:long}/learners/{learnerId:long}/mails/{signal}")] HttpRequest request, long id, long learnerId, string signal, CancellationToken cancellationToken) =>
        mails.GetHtmlAsync(id, learnerId, signal, request, cancellationToken);

    [Function("PostLearnerMailTest")]
    public Task<IResult> PostLearnerMailTest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/courses/{id:long}/learners/{learnerId:long}/mails/{signal}/test")] HttpRequest request, long id, long learnerId, string signal, CancellationToken cancellationToken) =>
        mails.PostTestAsync(id, learnerId, signal, request, cancellationToken);

    [Function("GetSettingsEditor")]
    public Task<IResult> GetSettingsEditor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "courses/{id:long}/settings")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        editor.GetAsync(id, request, cancellationToken);

    [Function("PostSettingsEditor")]
    public Task<IResult> PostSettingsEditor(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "courses/{id:long}/settings")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        editor.PostAsync(id, request, cancellationToken);

    [Function("PostSettingsPreview")]
    public Task<IResult> PostSettingsPreview(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "courses/{id:long}/settings/preview")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        editor.PostPreviewAsync(id, request, cancellationToken);

    [Function("GetSettingsEditorScript")]
    public static IResult GetSettingsEditorScript(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "assets/settings-editor.js")] HttpRequest request) =>
        SettingsEditorEndpoints.GetScript();

    [Function("GetResendPage")]
    public Task<IResult> GetResendPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "courses/{id:long}/learners/{learnerId:long}/mails/{signal}/resend")] HttpRequest request, long id, long learnerId, string signal, CancellationToken cancellationToken) =>
        resend.GetAsync(id, learnerId, signal, request, cancellationToken);

    [Function("PostResend")]
    public Task<IResult> PostResend(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "courses/{id:long}/learners/{learnerId:long}/mails/{signal}/resend")] HttpRequest request, long id, long learnerId, string signal, CancellationToken cancellationToken) =>
        resend.PostAsync(id, learnerId, signal, request, cancellationToken);

    [Function("GetQualiopiReport")]
    public Task<IResult> GetQualiopiReport(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/reports/qualiopi")] HttpRequest request, CancellationToken cancellationToken) =>
        reports.GetQualiopiAsync(request, cancellationToken);

    [Function("GetAnswerPage")]
    public Task<IResult> GetAnswerPage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "q/{token}")] HttpRequest request, string token, CancellationToken cancellationToken) =>
        answers.GetAsync(token, cancellationToken);

    [Function("PostAnswers")]
    public Task<IResult> PostAnswers(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "q/{token}")] HttpRequest request, string token, CancellationToken cancellationToken) =>
        answers.PostAsync(token, request, cancellationToken);

    [Function("ExportLearner")]
    public Task<IResult> ExportLearner(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = "api/learners/{id:long}/export")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        admin.ExportLearnerAsync(id, cancellationToken);

    [Function("EraseLearner")]
    public Task<IResult> EraseLearner(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = "api/learners/{id:long}")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        admin.EraseLearnerAsync(id, cancellationToken);

    [Function("PostCsvImport")]
    public Task<IResult> PostCsvImport(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = "api/import/csv")] HttpRequest request, CancellationToken cancellationToken) =>
        api.PostCsvImportAsync(request, cancellationToken);

    [Function("PostRedrive")]
    public Task<IResult> PostRedrive(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/poison/redrive")] HttpRequest request, CancellationToken cancellationToken) =>
        api.PostRedriveAsync(cancellationToken);

    [Function("GetOpenApi")]
    public static IResult GetOpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/openapi.json")] HttpRequest request) =>
        ApiEndpoints.GetOpenApi();

    [Function("PostScan")]
    public Task<IResult> PostScan(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = "api/scan")] HttpRequest request, CancellationToken cancellationToken) =>
        api.PostScanAsync(request, cancellationToken);

    [Function("GetCourseEnter")]
    public Task<IResult> GetCourseEnter(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "courses/{id:long}/enter")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        access.EnterAsync(id, request, cancellationToken);

    [Function("PostCourseCounts")]
    public Task<IResult> PostCourseCounts(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/courses/{id:long}/counts")] HttpRequest request, long id, CancellationToken cancellationToken) =>
        access.PostCountsAsync(id, request, cancellationToken);
}
