using CourseNotification.Dispatch;
using CourseNotification.Email;
using CourseNotification.Enrolments;
using CourseNotification.Http;
using CourseNotification.Questionnaires;
using CourseNotification.Reports;
using CourseNotification.Scanning;
using CourseNotification.Settings;
using CourseNotification.Storage;
using CourseNotification.Templates;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace CourseNotification;

public static class ServiceCollectionExtensions
{
    /// <summary>
    /// Everything both hosts need: validated settings (a wrong app setting stops the start with a message
    /// naming it), storage, the Core services and the configured mail transport. The clock is
    /// <see cref="TimeProvider.System"/> unless the host registered another one before.
    /// </summary>
    public static IServiceCollection AddCourseNotification(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlatformOptions>().BindConfiguration(PlatformOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SignalOptions>().BindConfiguration(SignalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<MoodleOptions>().BindConfiguration(MoodleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DigestOptions>().BindConfiguration(DigestOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<AccessOptions>().BindConfiguration(AccessOptions.Section).ValidateDataAnnotations().ValidateOnStart();

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(_ => QueueSettings.FromHostJson());
        // Every registered StoragePipelinePolicy goes into both clients' pipelines (none in production).
        services.AddSingleton(sp => StorageAccount.FromConfiguration(
            configuration, options => StoragePipelinePolicy.AddTo(options, sp.GetServices<StoragePipelinePolicy>())));
        services.AddSingleton<CourseStore>();
        services.AddSingleton<LearnerStore>();
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<LedgerStore>();
        services.AddSingleton<QueuedSendStore>();
        services.AddSingleton<CourseSettingsStore>();
        services.AddSingleton<SigningKeyStore>();
        services.AddSingleton<QuotaStore>();
        services.AddSingleton<WebhookReplayStore>();
        services.AddSingleton<GrantStore>();
        services.AddSingleton<CourseAccess>();
        services.AddSingleton<CourseAccessEndpoints>();
        services.AddSingleton<HealthStore>();
        services.AddSingleton<LearnerErasure>();
        services.AddSingleton<WebhookVerifier>();
        services.AddSingleton<LearnerDirectory>();
        services.AddSingleton<OptOut>();
        services.AddSingleton<QueueWriter>();

        services.AddSingleton<SignalSettingsProvider>();
        services.AddSingleton<SnapshotIngest>();
        services.AddSingleton<MoodleEventIngest>();
        services.AddSingleton<MoodleEnvelopeIngest>();
        services.AddSingleton<ScanPlanner>();
        services.AddSingleton<CourseDecisions>();
        services.AddSingleton<CourseScanner>();
        services.AddSingleton<TemplateCatalog>();
        services.AddSingleton<MailRenderer>();
        services.AddSingleton<SendContextReader>();
        services.AddSingleton<MailComposer>();
        services.AddSingleton<NotificationDispatcher>();
        services.AddSingleton<PoisonRedrive>();
        services.AddSingleton<ApiEndpoints>();
        services.AddSingleton<UnsubscribeEndpoints>();
        services.AddSingleton<AdminEndpoints>();
        services.AddSingleton<StatusEndpoints>();
        services.AddSingleton<OverviewEndpoints>();
        services.AddSingleton<QuestionnaireCatalog>();
        services.AddSingleton<QuestionnaireEndpoints>();
        services.AddSingleton<InvitationStore>();
        services.AddSingleton<AnswerStore>();
        services.AddSingleton<InvitationLinks>();
        services.AddSingleton<AnswerIntake>();
        services.AddSingleton<AnswerEndpoints>();
        services.AddSingleton<TestInvitation>();
        services.AddSingleton<CommentScrubber>();
        services.AddSingleton<QualiopiAggregator>();
        services.AddSingleton<ReportEndpoints>();
        services.AddSingleton<LearnerMails>();
        services.AddSingleton<CourseNotification.Digest.TrainerDigests>();
        services.AddSingleton<RetentionPurge>();
        services.AddSingleton<MailPreviewEndpoints>();
        services.AddSingleton<DraftMails>();
        services.AddSingleton<SettingsEditorEndpoints>();
        services.AddSingleton<ResendEndpoints>();
        services.AddSingleton<DigestEndpoints>();

        services.AddSingleton<SmtpMailTransport>();
        services.AddHttpClient<AcsMailTransport>();
        services.AddHttpClient<MoodleWebService>();
        services.AddTransient<MoodleSync>();
        services.AddSingleton<CsvImport>();
        services.TryAddSingleton<Azure.Core.TokenCredential>(_ => new Azure.Identity.DefaultAzureCredential());
        services.AddSingleton<OutboxMailTransport>();
        services.AddSingleton<IMailTransport>(sp => sp.GetRequiredService<IOptions<EmailOptions>>().Value.Transport switch
        {
            EmailTransportKind.Smtp => sp.GetRequiredService<SmtpMailTransport>(),
            EmailTransportKind.Outbox => sp.GetRequiredService<OutboxMailTransport>(),
            EmailTransportKind.Acs => sp.GetRequiredService<AcsMailTransport>(),
            var other => throw new OptionsValidationException(EmailOptions.Section, typeof(EmailOptions), [$"Email__Transport {other} is not available."]),
        });
        services.AddHostedService<StorageInitializer>();
        return services;
    }
}
