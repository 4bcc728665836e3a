namespace CourseNotification.Tests.Moodle;

/// <summary>Every PHP file of the Moodle side parses (<c>php -l</c>); runs wherever <c>php</c> is (CI installs php-cli).</summary>
[TestClass]
[TestCategory("infra")]
public sealed class PhpLintTests
{
    public TestContext TestContext { get; set; } = null!;

    [TestMethod]
    public async Task Every_php_file_under_moodle_passes_php_lint()
    {
        if (MoodlePhp.Binary is null)
        {
            Assert.Inconclusive("php is not on PATH: tools/test-dependencies.sh installs php-cli.");
        }
        var files = Directory.GetFiles(MoodlePhp.Folder, "*.php", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        Assert.IsGreaterThan(20, files.Count, "the plugin and the scenario scripts are there");
        var failures = new System.Collections.Concurrent.ConcurrentBag<string>();
        await Parallel.ForEachAsync(files, new ParallelOptions { MaxDegreeOfParallelism = 2, CancellationToken = TestContext.CancellationToken }, async (file, ct) =>
        {
            var (code, output, errors) = await MoodlePhp.RunAsync(["-l", file], null, ct);
            if (code != 0)
            {
                failures.Add($"{Path.GetRelativePath(MoodlePhp.Folder, file)}: {output.Trim()} {errors.Trim()}");
            }
        });
        Assert.IsEmpty(failures, string.Join("\n", failures));
        TestContext.WriteLine($"php -l: {files.Count} files");
    }
}
