namespace CourseNotification.Cli.Commands;

/// <summary>
/// A text progress bar on standard error, drawn only once the work has taken more than a moment (a
/// second), so quick runs print nothing but their result; and only on a terminal (redirected to a file
/// or a pipe, its carriage returns would be noise in the log).
/// </summary>
internal sealed class ConsoleProgress(int total, string unit) : IProgress<int>
{
    private const int Width = 30;
    private static readonly TimeSpan Moment = TimeSpan.FromSeconds(1);
    private readonly long _started = Environment.TickCount64;
    private bool _drawn;

    public void Report(int value)
    {
        var finished = value >= total;
        if (Console.IsErrorRedirected || (!_drawn && (finished || Environment.TickCount64 - _started < Moment.TotalMilliseconds)))
        {
            return;
        }
        _drawn = true;
        var done = Math.Clamp(value * Width / Math.Max(total, 1), 0, Width);
        Console.Error.Write($"\r[{new string('#', done)}{new string('.', Width - done)}] {value}/{total} {unit}");
        if (finished)
        {
            Console.Error.WriteLine();
        }
    }
}
