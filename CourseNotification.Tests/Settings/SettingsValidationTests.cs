using CourseNotification.Settings;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CourseNotification.Tests.Settings;

/// <summary>A wrong app setting stops the start with a message naming it, instead of sending wrong mail.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class SettingsValidationTests
{
    [TestMethod]
    [DataRow("Platform:SendHour", "24", "Platform__SendHour")]
    [DataRow("Platform:SendHour", "22", "Platform__SendHour")]
    [DataRow("Platform:TimeZone", "Europe/Atlantis", "Platform__TimeZone")]
    [DataRow("Platform:DefaultLanguage", "de", "Platform__DefaultLanguage")]
    [DataRow("Email:From", "nobody", "Email__From")]
    [DataRow("Email:Smtp:Host", "", "Email__Smtp__Host")]
    [DataRow("Email:Transport", "Acs", "Email__Transport")]
    [DataRow("Signals:FirstCall:Days", "0", "Signals__FirstCall__Days")]
    [DataRow("Signals:SecondCall:Days", "5", "Signals__SecondCall__Days")]
    [DataRow("Signals:Inactive:RepeatDays", "1", "Signals__Inactive__RepeatDays")]
    [DataRow("Signals:Inactive:MaxRepeats", "0", "Signals__Inactive__MaxRepeats")]
    [DataRow("Digest:Hour", "24", "Digest__Hour")]
    [DataRow("Digest:Roles", " , ", "Digest__Roles")]
    public async Task A_nonsense_setting_stops_the_start_naming_it(string key, string value, string named)
    {
        var error = await Assert.ThrowsExactlyAsync<OptionsValidationException>(() => CoreServices.StartAsync(null, (key, value)));
        StringAssert.Contains(error.Message, named);
    }

    [TestMethod]
    public void The_check_cn_runs_first_covers_every_options_class_the_hosts_bind()
    {
        // cn refuses a wrong setting in one line before it starts anything (SettingsCheck); a class it does not
        // know would only fail later, in the host's start, with a stack trace.
        foreach (var (section, type) in BoundOptions.All)
        {
            var property = type.GetProperties().First(p => p.CanWrite && (p.PropertyType == typeof(int) || p.PropertyType == typeof(bool) || p.PropertyType.IsEnum));
            var key = $"{section}:{property.Name}";
            var problems = SettingsCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection([new(key, "nonsense")]).Build());
            Assert.IsTrue(problems.Any(p => p.Key == key), $"{section}__{property.Name}=nonsense is not refused by SettingsCheck ({type.Name})");
        }
        var shortKey = SettingsCheck.Problems(new ConfigurationBuilder().AddInMemoryCollection([new("Access:AdminKey", "too-short")]).Build());
        Assert.AreEqual("Access__AdminKey", shortKey.Single().Name, "the options' own rules too");
    }
}
