using BenchmarkDotNet.Running;
using CourseNotification.Benchmarks;

// "scan [N...]", "dispatch [N]", "ingest [N]", "envelope [N]", "import [N]", "report [answers]" and "status [learners]": end-to-end harnesses against real
// Azurite (and maildev); anything else goes to BenchmarkDotNet (--filter '*EngineBenchmark*', '*RenderBenchmark*').
int Count(int fallback) => args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : fallback;
switch (args)
{
    case ["dispatch", ..]:
        return await DispatchHarness.RunAsync(Count(300));
    case ["envelope", ..]:
        return await EnvelopeHarness.RunAsync(Count(20));
    case ["import", ..]:
        return await ImportHarness.RunAsync(Count(100_000));
    case ["ingest", ..]:
        return await IngestHarness.RunAsync(Count(300));
    case ["report", ..]:
        return await ReportHarness.RunAsync(Count(10_000));
    case ["scan", ..]:
        return await ScanHarness.RunAsync(args.Length > 1 ? [.. args[1..].Select(a => int.Parse(a, System.Globalization.CultureInfo.InvariantCulture))] : [10_000, 100_000]);
    case ["status", ..]:
        return await StatusHarness.RunAsync(Count(5_000));
}
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmark).Assembly).Run(args);
return 0;
