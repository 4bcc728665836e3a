using Microsoft.Extensions.Hosting;

namespace CourseNotification.Storage;

/// <summary>Creates the tables and queues at start (infra creates them in Azure; Azurite starts empty).</summary>
internal sealed class StorageInitializer(StorageAccount storage) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => storage.EnsureCreatedAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
