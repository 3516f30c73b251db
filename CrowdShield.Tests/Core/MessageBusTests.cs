using System.Collections.Concurrent;
using CrowdShield.Core.Realtime;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrowdShield.Tests.Core;

public sealed class MessageBusTests
{
    private sealed record Note(string Text);

    [Fact]
    public async Task Publish_AssignsSeqPerEvent_StartingAtOne()
    {
        await using var bus = NewBus(new MemoryFeed());

        var a1 = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        var b1 = await bus.PublishAsync("b", MessageTypes.ReportNew, new Note("2"));
        var a2 = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        Assert.Equal((1, 1, 2), (a1.Seq, b1.Seq, a2.Seq));
        Assert.Equal("a", a2.Data.GetProperty("eventId").GetString());
        Assert.Equal(2, a2.Data.GetProperty("seq").GetInt64());
        Assert.Equal("3", a2.Data.GetProperty("text").GetString());
    }

    [Fact]
    public async Task Publish_ContinuesFromTheStoredSeq_AfterARestart()
    {
        var feed = new MemoryFeed();
        await using (var first = NewBus(feed))
        {
            await first.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
            await first.PublishAsync("a", MessageTypes.ReportNew, new Note("2"));
        }
        await using var second = NewBus(feed);

        var next = await second.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        Assert.Equal(3, next.Seq);
    }

    [Fact]
    public async Task FailedStore_FailsThePublish_AndLeavesNoGap()
    {
        var feed = new MemoryFeed { FailNext = true };
        await using var bus = NewBus(feed);
        var received = new ConcurrentQueue<long>();
        using var _ = bus.Subscribe("a", m => { received.Enqueue(m.Seq); return Task.CompletedTask; });

        await Assert.ThrowsAsync<IOException>(() => bus.PublishAsync("a", MessageTypes.ReportNew, new Note("lost")));
        var next = await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("kept"));

        Assert.Equal(1, next.Seq);
        await Eventually.TrueAsync(() => received.Count == 1);
        Assert.Equal([1L], received);
    }

    [Fact]
    public async Task SlowOrFailingSubscriber_DoesNotBlockOthersOrThePublisher()
    {
        await using var bus = NewBus(new MemoryFeed());
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
        await using var bus = NewBus(new MemoryFeed());
        var received = new ConcurrentQueue<long>();
        var subscription = bus.Subscribe("a", m => { received.Enqueue(m.Seq); return Task.CompletedTask; });
        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        await Eventually.TrueAsync(() => received.Count == 1);

        subscription.Dispose();
        subscription.Dispose();
        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("2"));

        Assert.Equal(0, bus.SubscriberCount("a"));
        Assert.Equal([1L], received);
    }

    [Fact]
    public async Task Sinks_ReceiveEveryEventInOrder()
    {
        var sink = new RecordingSink();
        await using var bus = new MessageBus(new MemoryFeed(), [sink], TimeProvider.System, NullLogger<MessageBus>.Instance);

        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("1"));
        await bus.PublishAsync("b", MessageTypes.ReportNew, new Note("2"));
        await bus.PublishAsync("a", MessageTypes.ReportNew, new Note("3"));

        await Eventually.TrueAsync(() => sink.Messages.Count == 3);
        Assert.Equal(["a#1", "b#1", "a#2"], sink.Messages.Select(m => $"{m.EventId}#{m.Seq}"));
    }

    private static MessageBus NewBus(IFeedStore feed) => new(feed, [], TimeProvider.System, NullLogger<MessageBus>.Instance);

    private sealed class RecordingSink : IRealtimeSink
    {
        public ConcurrentQueue<RealtimeMessage> Messages { get; } = new();

        public Task DeliverAsync(RealtimeMessage message, CancellationToken cancellationToken)
        {
            Messages.Enqueue(message);
            return Task.CompletedTask;
        }
    }

    private sealed class MemoryFeed : IFeedStore
    {
        private readonly List<FeedEntry> _entries = [];

        public bool FailNext { get; set; }

        public Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken)
        {
            if (FailNext)
            {
                FailNext = false;
                throw new IOException("disk full");
            }
            lock (_entries)
            {
                _entries.AddRange(entries);
            }
            return Task.CompletedTask;
        }

        public Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken)
        {
            lock (_entries)
            {
                return Task.FromResult(_entries.Where(e => e.EventId == eventId).Select(e => e.Seq).DefaultIfEmpty(0).Max());
            }
        }

        public Task<IReadOnlyList<FeedEntry>> ReadAsync(string eventId, long after, int limit, CancellationToken cancellationToken)
        {
            lock (_entries)
            {
                return Task.FromResult<IReadOnlyList<FeedEntry>>([.. _entries.Where(e => e.EventId == eventId && e.Seq > after).Take(limit)]);
            }
        }

        public Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken) => Task.FromResult(0);
    }
}

public sealed class RealtimeJsonTests
{
    [Fact]
    public void NoPayloadRecord_DeclaresEventIdOrSeq_WhichTheHubAddsItself()
    {
        var payloads = typeof(MessageTypes).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(MessageTypes).Namespace && t.Name.EndsWith("Payload", StringComparison.Ordinal));

        Assert.NotEmpty(payloads);
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
