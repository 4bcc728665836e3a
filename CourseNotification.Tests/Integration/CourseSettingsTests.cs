using CourseNotification.Enrolments;
using CourseNotification.Settings;
using CourseNotification.Signals;
using CourseNotification.Storage;

namespace CourseNotification.Tests.Integration;

/// <summary>Effective settings: the course's own value when it has one (stored in Table Storage), the platform's app setting otherwise.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CourseSettingsTests
{
    [TestMethod]
    public async Task A_course_overrides_what_it_sets_and_inherits_the_rest_from_app_settings()
    {
        await using var core = await CoreServices.StartAsync(null, ("Signals:FirstCall:Days", "5"), ("Signals:End7:Enabled", "false"), ("Platform:SendHour", "10"));
        var provider = core.Get<SignalSettingsProvider>();
        var (plain, custom) = (new Course { Id = TestIds.Next() }, new Course { Id = TestIds.Next() });
        await core.Get<CourseSettingsStore>().SaveAsync(custom.Id, new CourseSettings
        {
            SecondCallDays = 21,
            CourseEndClosesAccess = false,
            Signals = new Dictionary<string, bool> { [SignalKeys.End7] = true, [SignalKeys.Welcome] = false },
        }, CancellationToken.None);

        var platform = await provider.ForAsync(plain, CancellationToken.None);
        Assert.AreEqual((5, 15, true, 10), (platform.FirstCallDays, platform.SecondCallDays, platform.CourseEndClosesAccess, platform.Hours.SendHour));
        Assert.IsFalse(platform.IsEnabled(SignalKeys.End7));
        Assert.IsTrue(platform.IsEnabled(SignalKeys.Welcome));

        var effective = await provider.ForAsync(custom, CancellationToken.None);
        Assert.AreEqual((5, 21, false, 10), (effective.FirstCallDays, effective.SecondCallDays, effective.CourseEndClosesAccess, effective.Hours.SendHour));
        Assert.IsTrue(effective.IsEnabled(SignalKeys.End7));
        Assert.IsFalse(effective.IsEnabled(SignalKeys.Welcome));
        Assert.IsTrue(effective.IsEnabled(SignalKeys.End15), "a signal the course does not name keeps the platform switch");
    }
}
