using CourseNotification.Cli;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.DependencyInjection;

namespace CourseNotification.Tests.Cli;

/// <summary>A verb of <c>cn</c> run in this process exactly as the command line runs it, under Azure's storage limits.</summary>
internal static class InProcessCli
{
    /// <summary>A verb on the tests' shared Azurite (merges checked against the entity they go into).</summary>
    public static async Task<int> RunAsync(params string[] args)
    {
        var azurite = await SharedServices.AzuriteAsync();
        return await CliApp.RunAsync(args, services => services.AddSingleton(AzureLimits.PolicyFor(azurite.ConnectionString)));
    }

    /// <summary>A verb that starts its own storage (the demo): each write is checked alone.</summary>
    public static Task<int> RunOnOwnStorageAsync(params string[] args) =>
        CliApp.RunAsync(args, services => services.AddSingleton(new StoragePipelinePolicy(new AzureLimits(null))));
}
