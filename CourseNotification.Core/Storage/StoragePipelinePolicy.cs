using Azure.Core;
using Azure.Core.Pipeline;

namespace CourseNotification.Storage;

/// <summary>
/// A policy every storage client's pipeline gets (table and queue): register one in the services and
/// <see cref="StorageAccount"/> adds it. Production registers none; the tests register Azure's limits
/// (which Azurite does not enforce) and their faults.
/// </summary>
public sealed record StoragePipelinePolicy(HttpPipelinePolicy Policy, HttpPipelinePosition Position = HttpPipelinePosition.PerRetry)
{
    /// <summary>Adds the registered policies to a client's options, in the order they were registered.</summary>
    public static void AddTo(ClientOptions options, IEnumerable<StoragePipelinePolicy> policies)
    {
        foreach (var policy in policies)
        {
            options.AddPolicy(policy.Policy, policy.Position);
        }
    }
}
