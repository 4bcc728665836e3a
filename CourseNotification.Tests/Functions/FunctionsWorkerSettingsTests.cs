using CourseNotification.Functions.TestHost;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Functions;

/// <summary>A wrong or missing app setting stops the deployed worker at its start, with a message naming the setting.</summary>
[TestClass]
[TestCategory("functions")]
public sealed class FunctionsWorkerSettingsTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    [DataRow("Platform__SendHour", "25", "Platform__SendHour must be an hour from 0 to 23.")]
    [DataRow("Platform__TimeZone", "Mars/Olympus", "Platform__TimeZone: \"Mars/Olympus\" is not a known IANA time zone")]
    [DataRow("AzureWebJobsStorage", null, "AzureWebJobsStorage is not set")]
    public async Task The_worker_stops_at_start_naming_the_setting(string setting, string? value, string message)
    {
        var settings = FunctionsWorker.Settings(await SharedServices.ConfigurationAsync(), (setting, value));

        var stopped = await Assert.ThrowsExactlyAsync<WorkerStartException>(async () =>
        {
            await using var host = await FunctionsTestHost.StartAsync(FunctionsWorker.Path, settings, TestContext.CancellationToken);
        });

        StringAssert.Contains(stopped.Output, message);
        StringAssert.Contains(stopped.Message, "stopped during startup");
    }
}
