using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(CourseNotification.Benchmarks.EngineBenchmark).Assembly).Run(args);
