using CourseNotification.Enrolments;
using CourseNotification.Signals;

namespace CourseNotification.Tests.Signals;

/// <summary>
/// The promises of docs/signals.md checked over thousands of generated timelines (random zones, dates,
/// accesses, completions, extensions, expiry suspensions, settings and scan rhythms), each replayable
/// from its seed.
/// </summary>
[TestClass]
[TestCategory("unit")]
public sealed class PropertyTests
{
    private const int Timelines = 2000;

    private static readonly string[] Zones = ["Europe/Paris", "America/Montreal", "Pacific/Noumea", "Asia/Kolkata", "America/Los_Angeles", "UTC", "99", "Nowhere/Atlantis"];

    [TestMethod]
    public void No_learner_ever_gets_two_sends_of_the_same_key()
    {
        ForEachTimeline((seed, played) =>
        {
            var duplicates = played.Timeline.Sends.GroupBy(s => s.Decision.Key).Where(g => g.Count() > 1).Select(g => g.Key!.ToString()).ToList();
            Assert.AreEqual(0, duplicates.Count, $"seed {seed}: {string.Join(", ", duplicates)}");
        });
    }

    [TestMethod]
    public void Only_the_nearest_end_reminder_goes_out_and_never_a_farther_one_after_it()
    {
        var daysBefore = SignalKeys.EndReminders.ToDictionary(e => e.Signal, e => e.DaysBefore);
        ForEachTimeline((seed, played) =>
        {
            foreach (var anchor in played.Timeline.Sends.Where(s => daysBefore.ContainsKey(s.Decision.Signal)).GroupBy(s => s.Decision.Anchor))
            {
                var sends = anchor.ToList();
                for (var i = 1; i < sends.Count; i++)
                {
                    var (before, after) = (sends[i - 1], sends[i]);
                    Assert.IsTrue(after.At > before.At && daysBefore[after.Decision.Signal] < daysBefore[before.Decision.Signal],
                        $"seed {seed}: {after.Decision.Signal} at {after.At:O} after {before.Decision.Signal} at {before.At:O} for {anchor.Key}");
                }
            }
        });
    }

    [TestMethod]
    public void Never_a_first_call_after_or_with_the_second_one()
    {
        ForEachTimeline((seed, played) =>
        {
            foreach (var anchor in played.Timeline.Sends.GroupBy(s => s.Decision.Anchor))
            {
                var second = anchor.Where(s => s.Decision.Signal == SignalKeys.SecondCall).Select(s => (DateTimeOffset?)s.At).FirstOrDefault();
                Assert.IsFalse(anchor.Any(s => s.Decision.Signal == SignalKeys.FirstCall && s.At >= second), $"seed {seed}: firstcall at or after secondcall for {anchor.Key}");
            }
        });
    }

    [TestMethod]
    public void Nothing_goes_out_before_the_send_hour_or_inside_quiet_hours_of_the_learner()
    {
        ForEachTimeline((seed, played) =>
        {
            foreach (var (at, decision) in played.Timeline.Sends)
            {
                var hour = TimeZoneInfo.ConvertTime(at, played.Timeline.Zone).Hour;
                Assert.IsTrue(hour >= played.Settings.Hours.SendHour && !played.Settings.Hours.IsQuiet(hour), $"seed {seed}: {decision.Signal} at {hour}h local");
            }
        });
    }

    [TestMethod]
    public void Completion_stops_calls_end_reminders_inactivity_and_closed_from_the_moment_it_is_known()
    {
        string[] stopped = [SignalKeys.FirstCall, SignalKeys.SecondCall, SignalKeys.End15, SignalKeys.End7, SignalKeys.End5, SignalKeys.End3, SignalKeys.End1, SignalKeys.Closed, SignalKeys.Inactive];
        ForEachTimeline((seed, played) =>
        {
            if (played.CompletionKnownAt is not { } known)
            {
                return;
            }
            var late = played.Timeline.Sends.Where(s => s.At >= known && stopped.Contains(s.Decision.Signal)).Select(s => s.Decision.Signal).ToList();
            Assert.AreEqual(0, late.Count, $"seed {seed}: {string.Join(", ", late)} after completion");
        });
    }

    [TestMethod]
    public void Inactivity_never_exceeds_its_maximum_per_spell()
    {
        ForEachTimeline((seed, played) =>
        {
            foreach (var spell in played.Timeline.Sends.Where(s => s.Decision.Signal == SignalKeys.Inactive).GroupBy(s => s.Decision.Anchor))
            {
                Assert.IsTrue(spell.Count() <= played.Settings.InactivityMaxRepeats, $"seed {seed}: {spell.Count()} alerts for spell {spell.Key}");
            }
        });
    }

    [TestMethod]
    public void The_generated_timelines_exercise_every_signal()
    {
        var sent = Generated.Value.SelectMany(p => p.Timeline.Sends).GroupBy(s => s.Decision.Signal).ToDictionary(g => g.Key, g => g.Count());
        foreach (var signal in SignalKeys.All)
        {
            Assert.IsTrue(sent.GetValueOrDefault(signal) >= 20, $"only {sent.GetValueOrDefault(signal)} {signal} sends: the properties would prove little");
        }
        Assert.IsTrue(Generated.Value.Count(p => p.Timeline.Sends.Any(s => s.Decision.Repeat > 0)) >= 20, "too few inactivity repeats");
    }

    private sealed record Played(int Seed, Timeline Timeline, SignalSettings Settings, DateTimeOffset? CompletionKnownAt);

    /// <summary>Played once per test run, checked by every property.</summary>
    private static readonly Lazy<IReadOnlyList<Played>> Generated = new(() => [.. Enumerable.Range(1, Timelines).Select(Generate)]);

    private static void ForEachTimeline(Action<int, Played> check)
    {
        foreach (var played in Generated.Value)
        {
            check(played.Seed, played);
        }
    }

    /// <summary>One random, but replayable, life of a learner in a course.</summary>
    private static Played Generate(int seed)
    {
        var random = new Random(seed);
        var site = TimeZones.FindOrThrow("Europe/Paris");
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(1)).AddDays(random.Next(300)).AddHours(random.Next(24));
        var course = new Course { Id = 1, StartDate = start, EndDate = random.Next(2) == 0 ? null : start.AddDays(random.Next(20, 120)) };

        var enrolments = Enumerable.Range(1, random.Next(1, 4)).Select(id =>
        {
            var from = start.AddDays(random.Next(-10, 20)).AddHours(random.Next(24));
            return new Enrolment
            {
                Id = id,
                Start = random.Next(4) == 0 ? null : from,
                Created = from,
                End = random.Next(5) < 2 ? null : from.AddDays(random.Next(10, 90)),
                Active = random.Next(10) > 0,
            };
        }).ToList();
        var snapshot = new EnrolmentSnapshot
        {
            CourseId = 1,
            LearnerId = seed,
            Enrolments = enrolments,
            Roles = random.Next(10) == 0 ? ["teacher"] : ["student"],
            Profile = new LearnerProfile("fr", Zones[random.Next(Zones.Length)], false),
        };

        var sendHour = random.Next(7, 12);
        var firstCall = random.Next(3, 11);
        var settings = new SignalSettings
        {
            SiteZone = site,
            LearnerRoles = new HashSet<string>(["student"]),
            Hours = new SendHours(sendHour, random.Next(18, 24), random.Next(5, sendHour + 1)),
            FirstCallDays = firstCall,
            SecondCallDays = firstCall + random.Next(3, 16),
            InactivityDays = random.Next(5, 21),
            InactivityRepeatDays = random.Next(2, 11),
            InactivityMaxRepeats = random.Next(1, 5),
            CourseEndClosesAccess = random.Next(4) > 0,
            WelcomeEvenIfAccessed = random.Next(5) == 0,
            Switches = [.. SignalKeys.All.Select(_ => random.Next(10) > 0)],
        };

        var timeline = new Timeline(course, snapshot, settings);
        var last = start;
        for (var i = random.Next(5); i > 0; i--)
        {
            var access = last.AddDays(random.Next(0, 30)).AddHours(random.Next(24));
            timeline.On(access, s => s with { FirstAccess = s.FirstAccess ?? access, LastAccess = access });
            last = access;
        }
        DateTimeOffset? completionKnown = null;
        if (random.Next(3) == 0)
        {
            var completed = start.AddDays(random.Next(1, 100)).AddHours(random.Next(24));
            completionKnown = completed.AddHours(random.Next(0, 48));
            timeline.On(completionKnown.Value, s => s with { CompletedAt = completed });
        }
        if (random.Next(5) == 0 && enrolments[0].End is { } end)
        {
            var extended = enrolments[0] with { End = end.AddDays(random.Next(5, 40)) };
            timeline.On(end.AddDays(-random.Next(1, 10)), s => s.WithEnrolment(extended));
        }
        if (random.Next(10) == 0 && enrolments[0].End is { } expiry)
        {
            // Moodle's expiry action suspends the enrolment an hour after its (possibly extended) end.
            timeline.On(expiry.AddHours(1), s => s.WithEnrolment(s.Enrolments.Single(e => e.Id == 1) with { Active = false, SuspendedAt = expiry.AddHours(1) }));
        }

        timeline.Run(start.AddDays(-2), start.AddDays(150), TimeSpan.FromHours(random.Next(1, 5)));
        return new Played(seed, timeline, settings, completionKnown);
    }
}
