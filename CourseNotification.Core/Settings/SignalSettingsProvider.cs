using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Options;

namespace CourseNotification.Settings;

/// <summary>The effective signal settings of a course: the platform's app settings, overridden by the course's own stored settings.</summary>
public sealed class SignalSettingsProvider(IOptions<PlatformOptions> platform, IOptions<SignalOptions> signals, CourseSettingsStore courseSettings)
{
    private readonly SignalSettings _platform = SignalSettings.FromPlatform(platform.Value, signals.Value);

    public SignalSettings Platform => _platform;

    public async Task<SignalSettings> ForAsync(Course course, CancellationToken cancellationToken) =>
        _platform.For(await courseSettings.GetAsync(course.Id, cancellationToken));
}
