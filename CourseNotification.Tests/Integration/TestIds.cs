namespace CourseNotification.Tests.Integration;

/// <summary>Ids no other test of this run uses, so tests sharing one Azurite never see each other's rows.</summary>
internal static class TestIds
{
    private static long _next = 100_000;

    public static long Next() => Interlocked.Increment(ref _next);
}
