using CourseNotification.Cli;
using CourseNotification.Enrolments;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;

namespace CourseNotification.Tests.Enrolments;

/// <summary>The CSV a Moodle custom report exports, French or English headers, through <c>cn import</c> and the snapshot rules.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class CsvImportTests
{
    [TestMethod]
    public async Task A_French_report_export_fills_dates_access_and_completion_and_names_bad_lines()
    {
        var (course, a, b) = (TestIds.Next(), TestIds.Next(), TestIds.Next());
        var csv = $"""
            Cours : ID du cours;Cours : Nom complet du cours;Utilisateur : ID utilisateur;Utilisateur : Prénom;Utilisateur : Nom de famille;Utilisateur : Adresse de courriel;Utilisateur : Langue préférée;Inscription : Date de début;Inscription : Date de fin;Inscription : Statut;Accès au cours : Dernier accès;Achèvement du cours : Date d'achèvement;Inscription : Méthode d'inscription
            {course};"Sécurité ; incendie";{a};Zoé;Martin;zoe@example.fr;Français ‎(fr)‎;lundi 5 janvier 2026, 09:00;vendredi 6 mars 2026, 00:00;Actif;Jamais;;Inscription manuelle
            {course};"Sécurité ; incendie";{b};Ana;Silva;ana@example.fr;English ‎(en)‎;2026-01-05;2026-03-06T00:00:00+01:00;Suspendu;1767700800;1770000000;Auto-inscription
            {course};"Sécurité ; incendie";abc;X;Y;x@example.fr;fr;;;Actif;;;
            {course};"Sécurité ; incendie";{TestIds.Next()};X;Y;x@example.fr;fr;le 5 du mois;;Actif;;;
            """;
        var path = Path.Combine(Path.GetTempPath(), $"participants-{course}.csv");
        await File.WriteAllTextAsync(path, "\uFEFF" + csv.Replace("\n", "\r\n", StringComparison.Ordinal));
        var configuration = await SharedServices.ConfigurationAsync();

        var output = new StringWriter();
        var original = Console.Out;
        Console.SetOut(output);
        int exit;
        try
        {
            exit = await CliApp.RunAsync(["import", path, $"AzureWebJobsStorage={configuration["AzureWebJobsStorage"]}"]);
        }
        finally
        {
            Console.SetOut(original);
        }

        Assert.AreEqual(1, exit, "some lines were refused");
        StringAssert.Contains(output.ToString(), "4 rows: courses 1 created, 0 updated, 0 rejected; learners 2 created, 0 updated, 0 rejected; enrolments 2 created, 0 updated, 0 rejected.");
        StringAssert.Contains(output.ToString(), "line 4: learnerId: 'abc' is not an id");
        StringAssert.Contains(output.ToString(), "line 5: start: 'le 5 du mois' is not a date");

        await using var core = await CoreServices.StartAsync();
        Assert.AreEqual("Sécurité ; incendie", (await core.Get<CourseStore>().GetAsync(course, CancellationToken.None))!.FullName);
        var zoe = (await core.Get<SnapshotStore>().GetAsync(course, a, CancellationToken.None))!;
        var paris = TimeSpan.FromHours(1);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, paris), zoe.Enrolments.Single().Start, "Moodle's French long date, in the site's zone");
        Assert.AreEqual(new DateTimeOffset(2026, 3, 6, 0, 0, 0, paris), zoe.Enrolments.Single().End);
        Assert.IsTrue(zoe.Enrolments.Single().IsActive);
        Assert.IsNull(zoe.LastAccess, "Jamais");
        Assert.AreEqual(("fr", "zoe@example.fr"), ((await core.Get<LearnerStore>().GetAsync(a, CancellationToken.None))!.Lang, (await core.Get<LearnerStore>().GetAsync(a, CancellationToken.None))!.Email));
        var ana = (await core.Get<SnapshotStore>().GetAsync(course, b, CancellationToken.None))!;
        Assert.IsFalse(ana.Enrolments.Single().IsActive);
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 0, 0, 0, paris), ana.Enrolments.Single().Start, "an ISO date without time is midnight at the site");
        Assert.AreEqual((DateTimeOffset.FromUnixTimeSeconds(1767700800), DateTimeOffset.FromUnixTimeSeconds(1770000000)), (ana.LastAccess!.Value, ana.CompletedAt!.Value));
        Assert.AreEqual("en", (await core.Get<LearnerStore>().GetAsync(b, CancellationToken.None))!.Lang);
        Assert.AreNotEqual(zoe.Enrolments.Single().Id, ana.Enrolments.Single().Id, "one enrolment id per method");
        Assert.IsTrue(zoe.Enrolments.Single().Id < 0, "never a real Moodle id");
    }

    [TestMethod]
    public async Task English_headers_comma_separated_import_the_same_way_and_a_file_without_ids_is_refused()
    {
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        var csv = $"Course ID,Course full name,User ID,Email address,First name,Last name,Time started,Time ended,Status,Last access to course\n{course},Fire safety,{learner},e@example.org,Eve,Stone,\"Monday, 5 January 2026, 9:00 AM\",,Active,Never\n";
        await using var core = await CoreServices.StartAsync();
        var report = await core.Get<CsvImport>().ImportAsync(new StringReader(csv), null, CancellationToken.None);
        Assert.AreEqual((1, 0), (report.Enrolments.Created, report.Rejected.Count));
        var snapshot = (await core.Get<SnapshotStore>().GetAsync(course, learner, CancellationToken.None))!;
        Assert.AreEqual(new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.FromHours(1)), snapshot.Enrolments.Single().Start);

        var refused = await Assert.ThrowsExactlyAsync<FormatException>(() => core.Get<CsvImport>().ImportAsync(new StringReader("Name,Email\nx,y\n"), null, CancellationToken.None));
        StringAssert.Contains(refused.Message, "courseId");
    }
}
