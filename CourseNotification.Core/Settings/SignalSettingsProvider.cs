using CourseNotification.Enrolments;
using CourseNotification.Signals;
using CourseNotification.Storage;
using Microsoft.Extensions.Options;

namespace CourseNotification.Settings;

/// <summary>
/// The effective signal settings of a course: the platform's app settings, overridden by the course's own
/// stored settings (read at most once a minute per course and instance).
/// </summary>
public sealed class SignalSettingsProvider(IOptions<PlatformOptions> platform, IOptions<SignalOptions> signals, CourseSettingsStore courseSettings, IOptions<DigestOptions>? digest = null)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromMinutes(1);

    private readonly SignalSettings _platform = SignalSettings.FromPlatform(platform.Value, signals.Value) with
    {
        Digest = digest?.Value.Schedule ?? DigestSchedule.Default,
    };
    private readonly ShortCache<long, SignalSettings> _courses = new(CacheLifetime);

    public SignalSettings Platform => _platform;

    /// <summary>Drops this instance's cached copy after a save (other instances see it within <see cref="CacheLifetime"/>).</summary>
    public void Forget(long courseId) => _courses.Forget(courseId);

    public Task<SignalSettings> ForAsync(Course course, CancellationToken cancellationToken) =>
        _courses.GetAsync(course.Id, async id => _platform.For(await courseSettings.GetAsync(id, cancellationToken)));
}
