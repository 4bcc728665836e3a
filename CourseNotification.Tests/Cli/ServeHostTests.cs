using CourseNotification.Cli.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CourseNotification.Tests.Cli;

/// <summary>What <c>cn serve</c> runs besides its routes: the queue workers, and the hourly scan unless <c>Serve__HourlyScan</c> is false.</summary>
[TestClass]
[TestCategory("unit")]
public sealed class ServeHostTests
{
    [TestMethod]
    [DataRow(null, true)]
    [DataRow("true", true)]
    [DataRow("false", false)]
    public async Task The_hourly_scan_runs_unless_switched_off(string? setting, bool scans)
    {
        // Storage named but never reached: the host is built, not started.
        var settings = new Dictionary<string, string?> { ["AzureWebJobsStorage"] = "UseDevelopmentStorage=true" };
        if (setting is not null)
        {
            settings["Serve:HourlyScan"] = setting;
        }
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        await using var app = ServeHost.Build(configuration, TimeProvider.System, "http://127.0.0.1:0", runWorkers: true, quietLogs: true);
        var workers = app.Services.GetServices<IHostedService>().Select(s => s.GetType().Name).ToList();
        CollectionAssert.Contains(workers, "QueueWorker", "the queues are always worked");
        Assert.AreEqual(scans, workers.Contains("HourlyScanWorker"), string.Join(", ", workers));
    }
}
