using CourseNotification.Cli;

namespace CourseNotification.Tests.Cli;

/// <summary>The README's first command, in a short form: its own Azurite and maildev, a small organisation, ten days.</summary>
[TestClass]
[TestCategory("cli")]
public sealed class DemoTests
{
    [TestMethod]
    public async Task A_short_demo_sends_mail_that_the_ledger_and_the_inbox_agree_on()
    {
        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await InProcessCli.RunOnOwnStorageAsync(["demo", "--days", "10", "--learners", "30", "--urls", "http://127.0.0.1:0"]);
        }
        finally
        {
            Console.SetOut(original);
        }
        var text = output.ToString();
        Assert.AreEqual(0, exit, text);
        StringAssert.Contains(text, "Loaded 4 courses, 34 people");
        StringAssert.Matches(text, new System.Text.RegularExpressions.Regex(@"welcome\s+\d+"));
        StringAssert.Matches(text, new System.Text.RegularExpressions.Regex(@"\d+ mails in maildev, each one recorded once in the ledger\."));
        StringAssert.Contains(text, "maildev inbox: http://127.0.0.1:");
        StringAssert.Contains(text, "Site overview:        http://127.0.0.1:");
        StringAssert.Matches(text, new System.Text.RegularExpressions.Regex(@"hot\s+\d+\s+\d+\s+\d+"), "the questionnaire summary");
        var pdf = System.Text.RegularExpressions.Regex.Match(text, @"Qualiopi report \(hot\): (?<path>\S+\.pdf)").Groups["path"].Value;
        Assert.IsTrue(File.Exists(pdf) && new FileInfo(pdf).Length > 10_000, $"the report's PDF at '{pdf}'");
    }
}
