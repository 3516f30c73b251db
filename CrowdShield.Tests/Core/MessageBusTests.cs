using System.Collections.Concurrent;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Realtime;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace CrowdShield.Tests.Core;

/// <summary>The message bus on the real feed store (SQLite): seq, durability, fan-out, and several nodes over a backplane.</summary>
public sealed class MessageBusTests : IDisposable
{
    private sealed record Note(string Text);

    private readonly TestDatabase _db = new();

    public void Dispose() => _db.Dispose();

    [Fact]
    public async Task Publish_AssignsSeqPerEvent_StartingAtOne()
    {
        await using var bus = CoreParts.Bus(_db, TimeProvider.System);

        var a1 = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        var b1 = await bus.PublishAsync("b", MessageTypes.ReportNew, new Note("2"));
        var a2 = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        Assert.Equal((1, 1, 2), (a1.Seq, b1.Seq, a2.Seq));
        Assert.Equal("a", a2.Data.GetProperty("eventId").GetString());
        Assert.Equal(2, a2.Data.GetProperty("seq").GetInt64());
        Assert.Equal("3", a2.Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Publish_ContinuesFromTheStoredSeq_AfterARestart_EvenWhenTheFeedWasPurged()
    {
        await using (var first = CoreParts.Bus(_db, TimeProvider.System))
        {
            await first.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
            await first.PublishAsync("a", MessageTypes.ReportNew, new Note("2"));
        }
        await new EfFeedStore(_db, new WriteTurns()).PurgeAsync(DateTimeOffset.UtcNow.AddMinutes(1), CancellationToken.None);
        await using var second = CoreParts.Bus(_db, TimeProvider.System);

        var next = await second.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        Assert.Equal(3, next.Seq);
        Assert.Equal([3L], (await new EfFeedStore(_db, new WriteTurns()).ReadAsync("a", 0, 10, CancellationToken.None)).Select(e => e.Seq));
    }

    [Fact]
    public async Task FailedStore_FailsThePublish_AndLeavesNoGap()
    {
        var feed = new FailingFeed(new EfFeedStore(_db, new WriteTurns())) { FailNext = true };
        await using var bus = CoreParts.Bus(feed, TimeProvider.System);
        var received = new ConcurrentQueue<long>();
        using var _ = bus.Subscribe("a", m => { received.Enqueue(m.Seq); return Task.CompletedTask; });

        await Assert.ThrowsAsync<IOException>(() => bus.PublishAsync("a", MessageTypes.ReportNew, new Note("lost")));
        var next = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("kept"));

        Assert.Equal(1, next.Seq);
        await Eventually.TrueAsync(() => received.Count == 1);
        Assert.Equal([1L], received);
        Assert.Equal(["kept"], (await feed.ReadAsync("a", 0, 10, CancellationToken.None)).Select(e => new RawJson(e.Payload).Parse().RootElement.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task SlowOrFailingSubscriber_DoesNotBlockOthersOrThePublisher()
    {
        await using var bus = CoreParts.Bus(_db, TimeProvider.System);
        var stuck = new TaskCompletionSource();
        var fast = new ConcurrentQueue<long>();
        using var slow = bus.Subscribe("a", _ => stuck.Task);
        using var failing = bus.Subscribe("a", _ => throw new InvalidOperationException("boom"));
        using var quick = bus.Subscribe("a", m => { fast.Enqueue(m.Seq); return Task.CompletedTask; });

        for (var i = 0; i < 20; i++)
        {
            await bus.PublishAsync("a", MessageTypes.ReportNew, new Note($"{i}")).WaitAsync(TimeSpan.FromSeconds(5));
        }

        await Eventually.TrueAsync(() => fast.Count == 20);
        Assert.Equal(Enumerable.Range(1, 20).Select(i => (long)i), fast);
        stuck.SetResult();
    }

    [Fact]
    public async Task DisposedSubscription_ReceivesNothingMore()
    {
        await using var bus = CoreParts.Bus(_db, TimeProvider.System);
        var received = new ConcurrentQueue<long>();
        var subscription = bus.Subscribe("a", m => { received.Enqueue(m.Seq); return Task.CompletedTask; });
        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        await Eventually.TrueAsync(() => received.Count == 1);

        subscription.Dispose();
        subscription.Dispose();
        var second = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("2"));
        using var after = new Recorder(bus, "a");
        var third = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));
        await Eventually.TrueAsync(() => after.Seqs.Contains(third.Seq));

        Assert.Equal(2, second.Seq);
        Assert.Equal(1, bus.SubscriberCount("a"));
        Assert.Equal([1L], received);
    }

    [Fact]
    public async Task Sinks_ReceiveEveryEventInOrder()
    {
        var sink = new RecordingSink();
        await using var bus = CoreParts.Bus(new EfFeedStore(_db, new WriteTurns()), TimeProvider.System, sinks: [sink]);

        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        await bus.PublishAsync("b", MessageTypes.ReportNew, new Note("2"));
        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        await Eventually.TrueAsync(() => sink.Messages.Count == 3);
        Assert.Equal(["a#1", "b#1", "a#2"], sink.Messages.Select(m => $"{m.EventId}#{m.Seq}"));
    }

    [Fact]
    public async Task TwoNodes_PublishingAtOnce_GiveOneGapFreeSeq_DeliveredInOrderOnBoth()
    {
        var network = new TestNetwork();
        await using var a = ClusterBus(network.Join());
        await using var b = ClusterBus(network.Join());
        using var onA = new Recorder(a, "e");
        using var onB = new Recorder(b, "e");
        // Both publish at once: each must know where the stream stood before, or the other's first messages are
        // history to it (a node that reads the counters late treats what is already stored as delivered).
        await Task.WhenAll(a.Ready, b.Ready);

        var published = await Task.WhenAll(Enumerable.Range(0, 4).Select(p => Task.Run(async () =>
        {
            var bus = p % 2 == 0 ? a : b;
            var seqs = new List<long>();
            for (var i = 0; i < 25; i++)
            {
                seqs.Add((await bus.PublishAsync("e", MessageTypes.ReportNew, new Note($"{p}:{i}"))).Seq);
            }
            return seqs;
        })));

        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), published.SelectMany(s => s).Order());
        // Two SQLite writers on one file take turns through its busy handler: slow on a loaded machine, hence the time.
        await Eventually.TrueAsync(() => onA.Seqs.Count == 100 && onB.Seqs.Count == 100, TimeSpan.FromSeconds(60));
        Assert.Equal(Enumerable.Range(1, 100).Select(i => (long)i), onA.Seqs);
        Assert.Equal(onA.Texts, onB.Texts);
    }

    [Fact]
    public async Task AMessageTheBackplaneLost_IsReadFromTheFeed_BeforeTheNextOneIsDelivered()
    {
        var network = new TestNetwork();
        await using var a = ClusterBus(network.Join());
        await using var b = ClusterBus(network.Join());
        using var onA = new Recorder(a, "e");
        // B publishes at once: A must know where the stream stood before, or B's messages are history to it.
        await a.Ready;

        network.LoseNext(BackplaneChannels.Messages);
        await b.PublishAsync("e", MessageTypes.ReportNew, new Note("announced never"));
        await b.PublishAsync("e", MessageTypes.ReportNew, new Note("announced"));

        await Eventually.TrueAsync(() => onA.Seqs.Count == 2);
        Assert.Equal([1L, 2L], onA.Seqs);
        Assert.Equal(["announced never", "announced"], onA.Texts);
    }

    [Fact]
    public async Task WithTheBackplaneDown_OtherNodesMessagesStillArrive_FromTheFeed()
    {
        var network = new TestNetwork { Up = false };
        await using var a = ClusterBus(network.Join());
        await using var b = ClusterBus(network.Join());
        using var onA = new Recorder(a, "e");
        // B publishes at once: A must know where the stream stood before, or B's messages are history to it.
        await a.Ready;

        for (var i = 1; i <= 3; i++)
        {
            await b.PublishAsync("e", MessageTypes.ReportNew, new Note($"{i}"));
        }

        await Eventually.TrueAsync(() => onA.Seqs.Count == 3);
        Assert.Equal([1L, 2L, 3L], onA.Seqs);
    }

    private MessageBus ClusterBus(IBackplane backplane) => new(new EfFeedStore(_db, new WriteTurns()), [], backplane,
        Options.Create(new ClusterOptions { GapWait = TimeSpan.FromMilliseconds(50), PollEvery = TimeSpan.FromMilliseconds(100) }),
        TimeProvider.System, CoreParts.Metrics(), NullLogger<MessageBus>.Instance);

    private sealed class Recorder : IDisposable
    {
        private readonly IDisposable _subscription;
        private readonly List<RealtimeMessage> _messages = [];

        public Recorder(IMessageBus bus, string eventId) =>
            _subscription = bus.Subscribe(eventId, m => { lock (_messages) { _messages.Add(m); } return Task.CompletedTask; });

        public List<long> Seqs { get { lock (_messages) { return [.. _messages.Select(m => m.Seq)]; } } }

        public List<string?> Texts { get { lock (_messages) { return [.. _messages.Select(m => m.Data.GetProperty("text").GetString())]; } } }

        public void Dispose() => _subscription.Dispose();
    }

    private sealed class RecordingSink : IRealtimeSink
    {
        public ConcurrentQueue<RealtimeMessage> Messages { get; } = new();

        public Task DeliverAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            Messages.Enqueue(message);
            return Task.CompletedTask;
        }
    }

    /// <summary>The real store, with a disk that fails once when told to.</summary>
    private sealed class FailingFeed(IFeedStore inner) : IFeedStore
    {
        public bool FailNext { get; set; }

        public Task<IReadOnlyList<FeedEntry>> AppendAsync(IReadOnlyList<FeedDraft> drafts, Func<FeedDraft, long, FeedEntry> compose, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }
            return inner.AppendAsync(drafts, compose, cancellationToken);
        }

        public Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken) => inner.GetLastSeqAsync(eventId, cancellationToken);

        public Task<IReadOnlyDictionary<string, long>> GetLastSeqsAsync(CancellationToken cancellationToken) => inner.GetLastSeqsAsync(cancellationToken);

        public Task<IReadOnlyList<FeedEntry>> ReadAsync(string eventId, long after, int limit, CancellationToken cancellationToken) =>
            inner.ReadAsync(eventId, after, limit, cancellationToken);

        public Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => inner.PurgeAsync(olderThan, cancellationToken);
    }
}

public sealed class RealtimeJsonTests
{
    [Fact]
    public void NoPayloadRecord_DeclaresEventIdOrSeq_WhichTheHubAddsItself()
    {
        // Each payload lives with the feature that publishes it, anywhere in Core.
        var payloads = typeof(MessageTypes).Assembly.GetTypes()
            .Where(t => t.IsPublic && t.Name.EndsWith("Payload", StringComparison.Ordinal)).ToList();

        Assert.Subset(payloads.Select(t => t.Name).ToHashSet(), new HashSet<string>
        {
            "MapUpdatePayload", "AlertNewPayload", "AlertUpdatedPayload", "InsightUpdatePayload", "PredictionUpdatePayload",
            "ActionCreatedPayload", "ReportNewPayload", "VenueUpdatedPayload",
        });
        Assert.All(payloads, t => Assert.DoesNotContain(t.GetProperties(), p => p.Name is "EventId" or "Seq"));
    }

    [Fact]
    public void Compose_PutsEventIdAndSeqBeforeThePayload()
    {
        var scratch = new System.Buffers.ArrayBufferWriter<byte>();

        var full = RealtimeJson.Compose("e1", 7, new { Message = "hi", Count = 2 }, scratch);
        var empty = RealtimeJson.Compose("e1", 8, new { }, scratch);

        Assert.Equal("""{"eventId":"e1","seq":7,"message":"hi","count":2}""", full.ToString());
        Assert.Equal("""{"eventId":"e1","seq":8}""", empty.ToString());
    }
}
