using System.Text.Json.Nodes;
using CourseNotification.Cli.Local;
using CourseNotification.Dispatch;
using CourseNotification.Enrolments;
using CourseNotification.Scanning;
using CourseNotification.Signals;
using CourseNotification.Settings;
using CourseNotification.Storage;
using CourseNotification.Tests.Integration;
using Microsoft.Extensions.Time.Testing;

namespace CourseNotification.Tests.Dispatch;

/// <summary>Exactly once (docs/signals.md, "Exactly once") against real Azurite and maildev: duplicates, races, crashes, poison and redrive.</summary>
[TestClass]
[TestCategory("storage")]
public sealed class DispatcherTests
{
    private static readonly DateTimeOffset Opening = new(2032, 9, 6, 0, 0, 0, TimeSpan.FromHours(2));
    private static readonly DateTimeOffset At = Opening.AddHours(10);

    public TestContext TestContext { get; set; } = null!;

    /// <summary>A course with one learner whose welcome is due at <see cref="At"/>; returns its message.</summary>
    private static async Task<NotificationMessage> DueWelcomeAsync(CoreServices core, string? email = null)
    {
        var (course, learner) = (TestIds.Next(), TestIds.Next());
        await core.Get<SnapshotIngest>().UpsertAsync(JsonNode.Parse($$"""
            {"courses":[{"id":{{course}},"fullName":"Exactement une fois","startDate":"{{Opening:O}}"}],
             "learners":[{"id":{{learner}},"email":"{{email ?? $"once{learner}@example.org"}}","lang":"fr","timeZone":"Europe/Paris"}],
             "enrolments":[{"id":{{learner}},"courseId":{{course}},"learnerId":{{learner}},"start":{{Opening.ToUnixTimeSeconds()}}}]}
            """)!.AsObject(), CancellationToken.None);
        return new NotificationMessage(course, learner, SignalKeys.Welcome, DateOnly.FromDateTime(Opening.Date), 0, At);
    }

    private static async Task<int> MailsToAsync(long learner)
    {
        using var inbox = new MaildevInbox((await SharedServices.MaildevAsync()).WebUrl);
        return (await inbox.ReadAsync(CancellationToken.None)).Count(m => m.To == $"once{learner}@example.org");
    }

    [TestMethod]
    public async Task A_duplicated_message_sends_one_mail()
    {
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(At));
        var message = await DueWelcomeAsync(core);
        var dispatcher = core.Get<NotificationDispatcher>();

        Assert.AreEqual(DispatchOutcome.Sent, await dispatcher.HandleAsync(message, 1, CancellationToken.None));
        Assert.AreEqual(DispatchOutcome.NoLongerDue, await dispatcher.HandleAsync(message, 1, CancellationToken.None), "the engine sees it sent");
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
        var history = await core.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None);
        Assert.AreEqual(SendState.Sent, history.Single().State);
    }

    [TestMethod]
    public async Task Two_workers_racing_on_one_key_send_one_mail()
    {
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(At));
        var message = await DueWelcomeAsync(core);
        var dispatcher = core.Get<NotificationDispatcher>();

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            try
            {
                return (await dispatcher.HandleAsync(message, 1, CancellationToken.None)).ToString();
            }
            catch (SendHeldElsewhereException)
            {
                return "held";
            }
        }));

        Assert.AreEqual(1, outcomes.Count(o => o == nameof(DispatchOutcome.Sent)), string.Join(",", outcomes));
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
    }

    [TestMethod]
    public async Task A_claim_left_by_a_crash_is_taken_over_after_its_lease_and_not_before()
    {
        var clock = new FakeTimeProvider(At);
        await using var core = await CoreServices.StartAsync(clock);
        var message = await DueWelcomeAsync(core);
        var key = new SendKey(message.CourseId, message.LearnerId, message.Signal, message.Anchor, 0);
        // A worker claimed the send, then died before sending.
        await core.Get<LedgerStore>().TryClaimAsync(key, clock.GetUtcNow(), QueueSettings.Defaults.ClaimLease, CancellationToken.None);
        var dispatcher = core.Get<NotificationDispatcher>();

        await Assert.ThrowsExactlyAsync<SendHeldElsewhereException>(() => dispatcher.HandleAsync(message, 2, CancellationToken.None));
        Assert.AreEqual(0, await MailsToAsync(message.LearnerId));

        clock.Advance(QueueSettings.Defaults.ClaimLease);
        Assert.AreEqual(DispatchOutcome.Sent, await dispatcher.HandleAsync(message, 3, CancellationToken.None));
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
    }

    [TestMethod]
    public async Task A_send_that_keeps_failing_is_poisoned_recorded_failed_then_redriven_and_sent()
    {
        var clock = new FakeTimeProvider(At);
        var maildev = await SharedServices.MaildevAsync();
        var closedPort = NodeService.FreePort();
        await using var broken = await CoreServices.StartAsync(clock, ("Email:Smtp:Port", closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var message = await DueWelcomeAsync(broken);
        var storage = broken.Get<StorageAccount>();
        await broken.Get<QueueWriter>().SendAsync(StorageNames.NotificationsQueue, message, CancellationToken.None);

        // The Cli's worker, with host.json's settings (5 tries) but no wait between tries.
        var pipeline = new CourseNotification.Cli.Hosting.QueueProcessor(
            storage, StorageNames.NotificationsQueue,
            (body, tries, ct) => broken.Get<NotificationDispatcher>().HandleAsync(QueueWriter.Read<NotificationMessage>(body), tries, ct),
            broken.Get<CourseNotification.Settings.QueueSettings>() with { VisibilityTimeout = TimeSpan.Zero },
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        for (var i = 0; i < 20 && await pipeline.ApproximateCountAsync(CancellationToken.None) > 0; i++)
        {
            await pipeline.ProcessBatchAsync(CancellationToken.None);
        }

        var failed = (await broken.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None)).Single();
        Assert.AreEqual(SendState.Failed, failed.State);
        StringAssert.Contains(failed.Reason, "SocketException", "the reason is kept for the administrator");
        Assert.IsTrue(failed.Retryable, "the tries ran out on a transient error: a redrive may try again");
        var preview = SignalEngine.Evaluate(
            (await broken.Get<CourseStore>().GetAsync(message.CourseId, CancellationToken.None))!,
            (await broken.Get<SnapshotStore>().GetAsync(message.CourseId, message.LearnerId, CancellationToken.None))!,
            [failed], broken.Get<CourseNotification.Settings.SignalSettingsProvider>().Platform, At, SignalKeys.Welcome)!.Value;
        Assert.AreEqual(DecisionState.Failed, preview.State);

        // The relay is fixed: redrive puts the poisoned message back and the send goes out.
        await using var fixedCore = await CoreServices.StartAsync(clock, ("Email:Smtp:Port", maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var redriven = await fixedCore.Get<PoisonRedrive>().RedriveAsync(CancellationToken.None);
        Assert.IsTrue(redriven >= 1);
        var queue = storage.Queue(StorageNames.NotificationsQueue);
        var sent = false;
        while (!sent && (await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
        {
            foreach (var received in batch)
            {
                var body = QueueWriter.Read<NotificationMessage>(received.MessageText);
                if (body.LearnerId == message.LearnerId)
                {
                    sent = await fixedCore.Get<NotificationDispatcher>().HandleAsync(body, received.DequeueCount, CancellationToken.None) == DispatchOutcome.Sent;
                }
                await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
            }
        }
        Assert.IsTrue(sent);
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
    }
    [TestMethod]
    public async Task A_message_that_comes_back_after_its_last_try_failed_is_tried_again_not_dropped()
    {
        // The last try recorded the failure; the host's move to the poison queue did not happen (the process
        // died, or the poison queue refused), so the same message comes back with one dequeue more.
        var clock = new FakeTimeProvider(At);
        var closedPort = NodeService.FreePort();
        await using var broken = await CoreServices.StartAsync(clock, ("Email:Smtp:Port", closedPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var message = await DueWelcomeAsync(broken);
        var lastTry = broken.Get<QueueSettings>().MaxDequeueCount;
        await Assert.ThrowsAsync<Exception>(() => broken.Get<NotificationDispatcher>().HandleAsync(message, lastTry, CancellationToken.None));
        var history = await broken.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None);
        Assert.AreEqual((SendState.Failed, true), (history.Single().State, history.Single().Retryable));

        var maildev = await SharedServices.MaildevAsync();
        await using var working = await CoreServices.StartAsync(clock, ("Email:Smtp:Port", maildev.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.AreEqual(DispatchOutcome.Sent, await working.Get<NotificationDispatcher>().HandleAsync(message, lastTry + 1, CancellationToken.None), "not dropped as a duplicate");
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
        Assert.AreEqual(SendState.Sent, (await working.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None)).Single().State);
    }

    [TestMethod]
    public async Task A_refusal_that_will_not_change_is_not_tried_again_by_a_later_message()
    {
        await using var core = await CoreServices.StartAsync(new FakeTimeProvider(At));
        var message = await DueWelcomeAsync(core);
        var key = new SendKey(message.CourseId, message.LearnerId, message.Signal, message.Anchor, 0);
        var ledger = core.Get<LedgerStore>();
        var claim = await ledger.TryClaimAsync(key, At, TimeSpan.FromMinutes(2), CancellationToken.None);
        await ledger.MarkFailedAsync(key, claim.ETag, At, "550 mailbox unknown", retryable: false);

        Assert.AreEqual(DispatchOutcome.NoLongerDue, await core.Get<NotificationDispatcher>().HandleAsync(message, 1, CancellationToken.None));
        Assert.AreEqual(0, await MailsToAsync(message.LearnerId));
    }

    [TestMethod]
    public async Task A_mail_the_provider_took_is_not_sent_again_when_its_record_fails()
    {
        var clock = new FakeTimeProvider(At);
        var fault = new FailLedgerWrites();
        await using var core = await CoreServices.StartAsync(clock, fault, null);
        var message = await DueWelcomeAsync(core);
        var queue = core.Get<StorageAccount>().Queue(StorageNames.NotificationsQueue);
        var dispatcher = core.Get<NotificationDispatcher>();

        // Storage takes the claim, then refuses every write of the ledger once the mail is out.
        fault.AfterClaim = true;
        Assert.AreEqual(DispatchOutcome.Sent, await dispatcher.HandleAsync(message, 1, CancellationToken.None));
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId));
        fault.AfterClaim = false;

        // The claim was kept (another message for the send waits, it does not send), and a record was left in the queue.
        clock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsExactlyAsync<SendHeldElsewhereException>(() => dispatcher.HandleAsync(message, 1, CancellationToken.None));
        NotificationMessage? record = null;
        // It waits a few seconds in the queue (storage that failed a moment ago may be back by then).
        for (var deadline = DateTime.UtcNow.AddSeconds(30); record is null && DateTime.UtcNow < deadline; await Task.Delay(250))
        {
            foreach (var received in (await queue.ReceiveMessagesAsync(32)).Value)
            {
                var body = QueueWriter.Read<NotificationMessage>(received.MessageText);
                if (body.LearnerId == message.LearnerId)
                {
                    record = body;
                    await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
                }
            }
        }
        Assert.IsNotNull(record?.SentAs, "a message carrying only the record");
        Assert.AreEqual(DispatchOutcome.Recorded, await dispatcher.HandleAsync(record, 1, CancellationToken.None));

        clock.Advance(QueueSettings.Defaults.ClaimLease);
        Assert.AreEqual(DispatchOutcome.NoLongerDue, await dispatcher.HandleAsync(message, 2, CancellationToken.None), "the engine sees it sent");
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId), "one mail, however many tries");
        Assert.AreEqual(SendState.Sent, (await core.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None)).Single().State);
    }

    [TestMethod]
    public async Task A_worker_that_stalls_past_its_claim_lease_does_not_send_what_another_took_over()
    {
        // The chaos suite's one duplicate, made certain: a worker claims a send, then stalls (CPU starvation,
        // a slow storage answer) past the claim's lease; another worker takes the send over and sends it.
        var clock = new FakeTimeProvider(At);
        var stall = new StallAfterClaim();
        await using var core = await CoreServices.StartAsync(clock, stall, null);
        var message = await DueWelcomeAsync(core);
        var dispatcher = core.Get<NotificationDispatcher>();

        stall.Armed = true;
        var stalled = dispatcher.HandleAsync(message, 1, CancellationToken.None);
        await stall.Stalled.Task.WaitAsync(TimeSpan.FromSeconds(30));
        clock.Advance(QueueSettings.Defaults.ClaimLease + TimeSpan.FromSeconds(1));
        Assert.AreEqual(DispatchOutcome.Sent, await dispatcher.HandleAsync(message, 2, CancellationToken.None), "the message seen again takes the expired claim over");

        // The first worker wakes up: its claim is no longer its own, so it sends nothing.
        stall.Resume.SetResult();
        string late;
        try
        {
            late = (await stalled).ToString();
        }
        catch (SendHeldElsewhereException)
        {
            late = "held elsewhere";
        }
        Assert.AreEqual(1, await MailsToAsync(message.LearnerId), "one mail, though two workers held the claim in turn");
        Assert.AreEqual("held elsewhere", late, "the stalled worker steps aside (its queue retries, and finds the send sent)");
        Assert.AreEqual(SendState.Sent, (await core.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None)).Single().State);
    }

    [TestMethod]
    public async Task A_send_that_cannot_reach_the_relay_within_half_its_lease_gives_its_claim_back_unsent()
    {
        // A relay that accepts the connection and never greets: the worker would wait past its claim's lease,
        // long enough for another to take the send over; the send's budget (half the lease) stops it first.
        var clock = new FakeTimeProvider(At);
        using var silent = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        silent.Start();
        var port = ((System.Net.IPEndPoint)silent.LocalEndpoint).Port;
        await using var core = await CoreServices.StartAsync(clock, ("Email:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var message = await DueWelcomeAsync(core);
        var lease = core.Get<QueueSettings>().ClaimLease;

        var sending = core.Get<NotificationDispatcher>().HandleAsync(message, 1, CancellationToken.None);
        using var connection = await silent.AcceptTcpClientAsync(TestContext.CancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        clock.Advance(lease / 2);

        Assert.AreSame(sending, await Task.WhenAny(sending, Task.Delay(TimeSpan.FromSeconds(20), TestContext.CancellationToken)), "the send gave up at its budget, well inside the lease");
        await Assert.ThrowsExactlyAsync<TimeoutException>(() => sending, "a failed try: the queue retries it");
        Assert.AreEqual(0, await MailsToAsync(message.LearnerId));
        // The claim was given back: the next try takes it at once, without waiting for the lease to run out.
        var key = new SendKey(message.CourseId, message.LearnerId, message.Signal, message.Anchor, 0);
        Assert.AreEqual(ClaimOutcome.Claimed, (await core.Get<LedgerStore>().TryClaimAsync(key, clock.GetUtcNow(), lease, CancellationToken.None)).Outcome);
    }

    [TestMethod]
    public async Task A_relay_that_holds_its_answer_past_the_lease_keeps_the_claim_alive_and_no_other_worker_sends_it()
    {
        // A real SMTP conversation over loopback: the relay takes the whole mail after DATA, then holds its
        // "250" while the service's clock runs past the claim's lease. Another worker, with its own storage
        // clients and SMTP connections, sees the message again during that stall. The first worker's keeper
        // renews the claim every third of the lease, so the other steps aside: one mail, recorded once.
        // The service's clock is a fake one moved by the test, a third of the lease at a time, each step
        // taken once the renewal it triggers is in the ledger: no race with the machine's load.
        var clock = new FakeTimeProvider(At);
        await using var relay = StallingRelay.Start();
        var port = ("Email:Smtp:Port", relay.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await using var first = await CoreServices.StartAsync(clock, port);
        await using var second = await CoreServices.StartAsync(clock, port);
        var message = await DueWelcomeAsync(first);
        var key = new SendKey(message.CourseId, message.LearnerId, message.Signal, message.Anchor, 0);
        var lease = first.Get<QueueSettings>().ClaimLease;
        var ledgerTable = first.Get<StorageAccount>().Table(StorageNames.LedgerTable);
        async Task<Azure.Data.Tables.TableEntity> RowAsync() =>
            (await ledgerTable.GetEntityAsync<Azure.Data.Tables.TableEntity>(StorageNames.Key(key.CourseId), LedgerStore.RowKey(key), cancellationToken: TestContext.CancellationToken)).Value;

        var sending = first.Get<NotificationDispatcher>().HandleAsync(message, 1, CancellationToken.None);
        await relay.Holding.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken);
        var claimedUntil = (await RowAsync()).GetDateTimeOffset("LeaseUntil")!.Value;
        Assert.AreEqual(At + lease, claimedUntil, "claimed, and renewed just before the hand-over, at the start");

        // While the relay holds its answer, the clock runs past the end of the lease the claim was taken with.
        for (var beat = 1; beat <= 3; beat++)
        {
            clock.Advance(lease / 3);
            var renewedTo = clock.GetUtcNow() + lease;
            var deadline = DateTime.UtcNow.AddSeconds(15);
            while ((await RowAsync()).GetDateTimeOffset("LeaseUntil") < renewedTo && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20, TestContext.CancellationToken);
            }
            if ((await RowAsync()).GetDateTimeOffset("LeaseUntil") < renewedTo)
            {
                break; // Not renewed (no keeper): what follows shows what that costs.
            }
        }
        clock.Advance(claimedUntil + TimeSpan.FromSeconds(1) - clock.GetUtcNow());
        Assert.IsFalse(sending.IsCompleted, "the first worker is still handing its mail over");

        // The other worker sees the message again (its visibility ran out): the claim is held, it sends nothing.
        string takeover;
        try
        {
            takeover = (await second.Get<NotificationDispatcher>().HandleAsync(message, 2, CancellationToken.None)).ToString();
        }
        catch (SendHeldElsewhereException)
        {
            takeover = "held elsewhere";
        }

        relay.Release();
        Assert.AreEqual(DispatchOutcome.Sent, await sending.WaitAsync(TimeSpan.FromSeconds(30), TestContext.CancellationToken), "the first worker's send completes and is recorded");
        Assert.AreEqual(1, relay.Delivered, "one mail reached the relay");
        Assert.AreEqual("held elsewhere", takeover, "the other worker did not take the send over while it was being handed to the relay");
        var row = await RowAsync();
        Assert.AreEqual((nameof(SendState.Sent), 1), (row.GetString("State"), row.GetInt32("Attempts")), "recorded sent, by the one claim taken");
        Assert.AreEqual(SendState.Sent, (await first.Get<LedgerStore>().ReadLearnerAsync(message.CourseId, message.LearnerId, CancellationToken.None)).Single().State);
    }

    /// <summary>While armed, lets the first ledger write (a send's claim) reach storage, then holds its answer until resumed.</summary>
    private sealed class StallAfterClaim : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _claims;

        public volatile bool Armed;

        public TaskCompletionSource Stalled { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Resume { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (Armed && message.Request.Method != Azure.Core.RequestMethod.Get && message.Request.Uri.Path.Contains("/" + StorageNames.LedgerTable, StringComparison.Ordinal)
                && Interlocked.Increment(ref _claims) == 1)
            {
                Stalled.SetResult();
                await Resume.Task;
            }
        }
    }

    /// <summary>While armed, lets a send's claim (and its renewal just before the send) through and then fails every write of the ledger, as storage does when it goes down.</summary>
    private sealed class FailLedgerWrites : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _ledgerWrites;

        public volatile bool AfterClaim;

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) => throw new NotSupportedException();

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            var write = message.Request.Method != Azure.Core.RequestMethod.Get;
            if (AfterClaim && write && message.Request.Uri.Path.Contains("/" + StorageNames.LedgerTable, StringComparison.Ordinal) && Interlocked.Increment(ref _ledgerWrites) > 2)
            {
                throw new IOException("Storage is down for this test.");
            }
            await ProcessNextAsync(message, pipeline);
        }
    }
}
