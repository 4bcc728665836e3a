using BenchmarkDotNet.Running;
using CourseNotification.Benchmarks;

// "dispatch [N]", "ingest [N]", "report [answers]" and "status [learners]": end-to-end harnesses against real Azurite (and maildev); anything else: BenchmarkDotNet.
var count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300;
switch (args)
{
    case ["dispatch", ..]:
        return await DispatchHarness.RunAsync(count);
    case ["ingest", ..]:
        return await IngestHarness.RunAsync(count);
    case ["status", ..]:
        return await StatusHarness.RunAsync(args.Length > 1 ? count : 5_000);
    case ["report", ..]:
        return await ReportHarness.RunAsync(args.Length > 1 ? count : 10_000);
}
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmark).Assembly).Run(args);
return 0;
