namespace CourseNotification.Cli.Hosting;

/// <summary>
/// The system clock moved to another instant (<c>--at</c>) and still ticking from there, so a command,
/// a test or the demo can play any day; the demo moves it forward day by day.
/// </summary>
public sealed class ShiftableClock(DateTimeOffset? start = null) : TimeProvider
{
    private long _offsetTicks = start is { } at ? (at - System.GetUtcNow()).Ticks : 0;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void MoveTo(DateTimeOffset instant) => Interlocked.Exchange(ref _offsetTicks, (instant - System.GetUtcNow()).Ticks);
}
