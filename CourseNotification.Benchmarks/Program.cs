using BenchmarkDotNet.Running;
using CourseNotification.Benchmarks;

// "dispatch [N]": the end-to-end harness against real Azurite and maildev; anything else: BenchmarkDotNet.
if (args is ["dispatch", ..])
{
    return await DispatchHarness.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 300);
}
BenchmarkSwitcher.FromAssembly(typeof(EngineBenchmark).Assembly).Run(args);
return 0;
