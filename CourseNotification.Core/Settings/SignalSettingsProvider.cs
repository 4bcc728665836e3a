using CourseNotification.Enrolments;
using CourseNotification.Signals;
using Microsoft.Extensions.Options;

namespace CourseNotification.Settings;

/// <summary>
/// The effective signal settings of a course. Today: the platform's app settings for every course;
/// per-course overrides in Table Storage come with the course settings API and plug in here.
/// </summary>
public sealed class SignalSettingsProvider(IOptions<PlatformOptions> platform)
{
    private readonly SignalSettings _platform = SignalSettings.FromPlatform(platform.Value);

    public SignalSettings For(Course course) => _platform;
}
