using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace CourseNotification.Scanning;

/// <summary>
/// Reads a stream a little ahead of its consumer, so that the next page of storage is on its way while
/// the current one is evaluated: the reader and the storage wait for each other less, and at most
/// <c>capacity</c> items more are held in memory.
/// </summary>
internal static class ReadAhead
{
    public static async IAsyncEnumerable<T> Of<T>(IAsyncEnumerable<T> source, int capacity, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in source.WithCancellation(stop.Token))
                {
                    await channel.Writer.WriteAsync(item, stop.Token);
                }
                channel.Writer.Complete();
            }
            catch (Exception e)
            {
                // The reader meets the failure (or the cancellation) where it would have met it reading directly.
                channel.Writer.Complete(e);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
        finally
        {
            // A reader that stops early stops the producer too.
            await stop.CancelAsync();
            await producer;
        }
    }
}
