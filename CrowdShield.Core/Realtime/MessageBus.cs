using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using System.Diagnostics;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// The in-process message bus. A single writer loop takes published messages in arrival order and stores a whole
/// batch in the feed in one transaction (group commit), where the feed's counters give each message the next seq
/// of its event; only then are the publishers completed. A single delivery loop then hands messages to the
/// subscribers and sinks of this node in seq order: its own messages, and those other nodes stored and announced
/// on the backplane. A message that arrives ahead of its predecessor waits a moment for it and then reads the gap
/// from the feed, and every node compares the feed's counters with what it delivered, so a message the backplane
/// lost (Redis down, a node that died between commit and announcement) still reaches every screen, in order.
/// </summary>
public sealed class MessageBus : IMessageBus, IAsyncDisposable
{
    private const int MaxBatch = 512;
    private const int SubscriberQueue = 4096;

    private readonly IFeedStore _feed;
    private readonly IBackplane _backplane;
    private readonly ClusterOptions _cluster;
    private readonly TimeProvider _time;
    private readonly CrowdShieldMetrics _metrics;
    private readonly ILogger<MessageBus> _logger;
    private readonly Channel<Pending> _inbox = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private readonly Channel<Arrival> _arrivals = Channel.CreateUnbounded<Arrival>(new() { SingleReader = true });
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, ImmutableArray<Subscriber>> _subscribers = new(StringComparer.Ordinal);
    private readonly ImmutableArray<Subscriber> _sinks;

    // Owned by the delivery loop alone.
    private readonly Dictionary<string, long> _delivered = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedDictionary<long, RealtimeMessage>> _held = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DateTimeOffset> _behindSince = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _storedLast = new(StringComparer.Ordinal);
    private DateTimeOffset _lastPoll;

    private readonly IDisposable _remote;
    private readonly ITimer _ticks;
    private readonly Task _writer;
    private readonly Task _delivery;

    public MessageBus(
        IFeedStore feed, IEnumerable<IRealtimeSink> sinks, IBackplane backplane, IOptions<ClusterOptions> cluster, TimeProvider time,
        CrowdShieldMetrics metrics, ILogger<MessageBus> logger)
    {
        _feed = feed;
        _backplane = backplane;
        _cluster = cluster.Value;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        // Sinks are transports to other machines (SignalR clients): they must not lose messages, so their
        // queues are unbounded; a screen in this process can catch up from the feed, so its queue is bounded.
        _sinks = [.. sinks.Select(s => new Subscriber(this, eventId: null, s.DeliverAsync, capacity: null))];
        metrics.ObserveQueues(QueueDepth);
        // Listen before reading where every event stands: whatever is stored after that read is announced to us.
        _remote = backplane.Subscribe(BackplaneChannels.Messages, bytes => _arrivals.Writer.TryWrite(new Arrival(MessageEnvelope.Decode(bytes.Span))));
        _ticks = time.CreateTimer(_ => _arrivals.Writer.TryWrite(Arrival.Tick), null, _cluster.GapWait, _cluster.GapWait);
        _delivery = Task.Run(DeliveryLoopAsync);
        _writer = Task.Run(WriteLoopAsync);
    }

    /// <summary>
    /// Completes once this node has read where every event's stream stands. Messages stored anywhere after that are
    /// delivered here; ones stored before (history) are not replayed. Start-up and tests that publish from another
    /// node at once wait for it.
    /// </summary>
    public Task Ready => _ready.Task;

    public Task<RealtimeMessage> PublishAsync(string eventId, string type, object payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(payload);
        var pending = new Pending(new FeedDraft(eventId, type, payload), new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_inbox.Writer.TryWrite(pending))
        {
            throw new ObjectDisposedException(nameof(MessageBus));
        }
        // The caller may stop waiting, but the message is already on its way: it will be stored and sent.
        return pending.Completion.Task.WaitAsync(cancellationToken);
    }

    public IDisposable Subscribe(string eventId, Func<RealtimeMessage, Task> handler)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        var subscriber = new Subscriber(this, eventId, (m, _) => handler(m), capacity: SubscriberQueue);
        _subscribers.AddOrUpdate(eventId, [subscriber], (_, list) => list.Add(subscriber));
        return subscriber;
    }

    /// <summary>How many in-process subscriptions an event has (for diagnostics and tests).</summary>
    public int SubscriberCount(string eventId) =>
        _subscribers.TryGetValue(eventId, out var list) ? list.Length : 0;

    private QueueDepth QueueDepth()
    {
        long transports = 0, screens = 0;
        foreach (var sink in _sinks)
        {
            transports += sink.Waiting;
        }
        foreach (var list in _subscribers.Values)
        {
            foreach (var subscriber in list)
            {
                screens += subscriber.Waiting;
            }
        }
        return new(transports, screens);
    }

    private void Unsubscribe(Subscriber subscriber)
    {
        if (subscriber.EventId is { } eventId)
        {
            _subscribers.AddOrUpdate(eventId, [], (_, list) => list.Remove(subscriber));
            _subscribers.TryRemove(new(eventId, []));
        }
    }

    private async Task WriteLoopAsync()
    {
        // Nothing is stored before the delivery loop knows where every event stands, or it would take this
        // node's first messages for ones it had already delivered.
        await _ready.Task.ConfigureAwait(false);
        var batch = new List<Pending>(MaxBatch);
        var drafts = new List<FeedDraft>(MaxBatch);
        var scratch = new System.Buffers.ArrayBufferWriter<byte>(4096);
        while (await _inbox.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            drafts.Clear();
            while (batch.Count < MaxBatch && _inbox.Reader.TryRead(out var next))
            {
                batch.Add(next);
                drafts.Add(next.Draft);
            }

            using var activity = CrowdShieldMetrics.ActivitySource.StartActivity("realtime.store");
            activity?.SetTag("crowdshield.messages", batch.Count);
            IReadOnlyList<FeedEntry> entries;
            var now = _time.GetUtcNow();
            var json = new RawJson[batch.Count];
            try
            {
                var index = 0;
                entries = await _feed.AppendAsync(drafts, (draft, seq) =>
                {
                    var composed = RealtimeJson.Compose(draft.EventId, seq, draft.Payload, scratch);
                    json[index++] = composed;
                    return new FeedEntry { EventId = draft.EventId, Seq = seq, Type = draft.Type, Payload = composed.Bytes, At = now };
                }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                // Nothing of this batch was stored or sent, and the counters did not move: the next batch
                // continues from the last stored seq, so there is no gap.
                _logger.LogError(ex, "Could not store {Count} real-time messages", batch.Count);
                foreach (var pending in batch)
                {
                    pending.Completion.TrySetException(ex);
                }
                continue;
            }

            for (var i = 0; i < batch.Count; i++)
            {
                var entry = entries[i];
                var message = new RealtimeMessage(entry.EventId, entry.Seq, entry.Type, entry.At, json[i]) { Payload = batch[i].Draft.Payload };
                _arrivals.Writer.TryWrite(new Arrival(message));
                if (_backplane.IsShared)
                {
                    _backplane.Publish(BackplaneChannels.Messages, MessageEnvelope.Encode(message));
                }
                batch[i].Completion.TrySetResult(message);
            }
        }
    }

    private async Task DeliveryLoopAsync()
    {
        await StartAsync().ConfigureAwait(false);
        await foreach (var arrival in _arrivals.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                if (arrival.Message is { } message)
                {
                    Accept(message);
                }
                else
                {
                    await RepairAsync().ConfigureAwait(false);
                }
            }
            catch (Exception ex)
            {
                // A failed feed read while filling a gap: the next tick tries again.
                _logger.LogWarning(ex, "Could not fill a gap in the real-time stream; retrying");
            }
        }
    }

    private async Task StartAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                foreach (var (eventId, last) in await _feed.GetLastSeqsAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    _delivered[eventId] = last;
                }
                _lastPoll = _time.GetUtcNow();
                _ready.TrySetResult();
                return;
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not read the feed's counters (attempt {Attempt}); retrying", attempt);
                await Task.Delay(TimeSpan.FromSeconds(Math.Min(attempt, 5)), _time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Delivers <paramref name="message"/> if it is the next of its event, holds it if it is early, drops it if it is old.</summary>
    private void Accept(RealtimeMessage message)
    {
        var eventId = message.EventId;
        var last = _delivered.GetValueOrDefault(eventId);
        if (message.Seq <= last)
        {
            return;
        }
        if (message.Seq > last + 1)
        {
            if (!_held.TryGetValue(eventId, out var early))
            {
                _held[eventId] = early = [];
            }
            early.TryAdd(message.Seq, message);
            _behindSince.TryAdd(eventId, _time.GetUtcNow());
            return;
        }
        Dispatch(message);
        last = message.Seq;
        if (_held.TryGetValue(eventId, out var waiting))
        {
            while (waiting.Remove(last + 1, out var next))
            {
                Dispatch(next);
                last++;
            }
            foreach (var old in waiting.Keys.Where(seq => seq <= last).ToList())
            {
                waiting.Remove(old);
            }
            if (waiting.Count == 0)
            {
                _held.Remove(eventId);
            }
        }
        _delivered[eventId] = last;
        if (!_held.ContainsKey(eventId) && _storedLast.GetValueOrDefault(eventId) <= last)
        {
            _behindSince.Remove(eventId);
        }
    }

    /// <summary>Reads from the feed what did not arrive in time: gaps before held messages, and what the counters say exists.</summary>
    private async Task RepairAsync()
    {
        var now = _time.GetUtcNow();
        if (_backplane.IsShared && now - _lastPoll >= _cluster.PollEvery)
        {
            _lastPoll = now;
            foreach (var (eventId, stored) in await _feed.GetLastSeqsAsync(CancellationToken.None).ConfigureAwait(false))
            {
                _storedLast[eventId] = stored;
                if (stored > _delivered.GetValueOrDefault(eventId))
                {
                    _behindSince.TryAdd(eventId, now);
                }
            }
        }
        foreach (var (eventId, since) in _behindSince.ToList())
        {
            if (now - since < _cluster.GapWait)
            {
                continue;
            }
            var upTo = Math.Max(_storedLast.GetValueOrDefault(eventId),
                _held.TryGetValue(eventId, out var early) && early.Count > 0 ? early.Keys.First() - 1 : 0);
            await FillAsync(eventId, upTo).ConfigureAwait(false);
            _behindSince.Remove(eventId);
            if (_held.ContainsKey(eventId))
            {
                _behindSince[eventId] = now;
            }
        }
    }

    private async Task FillAsync(string eventId, long upTo)
    {
        while (_delivered.GetValueOrDefault(eventId) < upTo)
        {
            var from = _delivered.GetValueOrDefault(eventId);
            var page = await _feed.ReadAsync(eventId, from, (int)Math.Min(500, upTo - from), CancellationToken.None).ConfigureAwait(false);
            if (page.Count == 0 || page[0].Seq != from + 1)
            {
                // Purged before this node could read it: nothing to replay. Screens see the jump and reload.
                _logger.LogWarning("Messages {From}–{To} of event {EventId} are no longer in the feed; skipping them", from + 1,
                    page.Count == 0 ? upTo : page[0].Seq - 1, eventId);
                _delivered[eventId] = page.Count == 0 ? upTo : page[0].Seq - 1;
                if (page.Count == 0)
                {
                    return;
                }
            }
            foreach (var entry in page)
            {
                Accept(new RealtimeMessage(entry.EventId, entry.Seq, entry.Type, entry.At, new RawJson(entry.Payload)));
            }
        }
    }

    private void Dispatch(RealtimeMessage message)
    {
        _metrics.MessageReached(_time.GetUtcNow() - message.At);
        foreach (var sink in _sinks)
        {
            sink.Post(message);
        }
        if (_subscribers.TryGetValue(message.EventId, out var subscribers))
        {
            foreach (var subscriber in subscribers)
            {
                subscriber.Post(message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _remote.Dispose();
        await _ticks.DisposeAsync().ConfigureAwait(false);
        _inbox.Writer.TryComplete();
        _ready.TrySetResult();
        await _writer.ConfigureAwait(false);
        _arrivals.Writer.TryComplete();
        await _delivery.ConfigureAwait(false);
        foreach (var sink in _sinks)
        {
            await sink.DrainAsync().ConfigureAwait(false);
        }
    }

    private sealed record Pending(FeedDraft Draft, TaskCompletionSource<RealtimeMessage> Completion);

    /// <summary>Something for the delivery loop: a stored message (from this node or another), or a tick to repair gaps.</summary>
    private readonly record struct Arrival(RealtimeMessage? Message)
    {
        public static readonly Arrival Tick = new(null);
    }

    /// <summary>
    /// One receiver with its own queue and pump: a slow or throwing handler delays only itself.
    /// Disposing is idempotent and stops deliveries that have not started.
    /// </summary>
    private sealed class Subscriber : IDisposable
    {
        private readonly MessageBus _bus;
        private readonly Func<RealtimeMessage, CancellationToken, Task> _handler;
        private readonly Channel<Queued> _queue;
        private readonly SubscriberKind _kind;
        private int _waiting;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private int _disposed;

        public Subscriber(MessageBus bus, string? eventId, Func<RealtimeMessage, CancellationToken, Task> handler, int? capacity)
        {
            _bus = bus;
            EventId = eventId;
            _kind = eventId is null ? SubscriberKind.Transport : SubscriberKind.Screen;
            _handler = handler;
            _queue = capacity is { } size
                ? Channel.CreateBounded<Queued>(new BoundedChannelOptions(size)
                {
                    SingleReader = true,
                    FullMode = BoundedChannelFullMode.DropOldest,
                }, _ => Interlocked.Decrement(ref _waiting))
                : Channel.CreateUnbounded<Queued>(new() { SingleReader = true });
            _pump = Task.Run(PumpAsync);
        }

        public string? EventId { get; }

        /// <summary>Messages queued and not yet taken (kept here: a single-reader unbounded channel cannot count).</summary>
        public int Waiting => Volatile.Read(ref _waiting);

        public void Post(RealtimeMessage message)
        {
            if (_queue.Writer.TryWrite(new(message, Stopwatch.GetTimestamp())))
            {
                Interlocked.Increment(ref _waiting);
            }
        }

        public Task DrainAsync()
        {
            _queue.Writer.TryComplete();
            return _pump;
        }

        private async Task PumpAsync()
        {
            await foreach (var (message, postedAt) in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                Interlocked.Decrement(ref _waiting);
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                try
                {
                    await _handler(message, _stop.Token).ConfigureAwait(false);
                    _bus._metrics.MessageDelivered(_kind, Stopwatch.GetElapsedTime(postedAt));
                }
                catch (Exception ex) when (!_stop.IsCancellationRequested)
                {
                    _bus._logger.LogWarning(ex, "A real-time subscriber failed on {Type} #{Seq} of event {EventId}",
                        message.Type, message.Seq, message.EventId);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }

        private readonly record struct Queued(RealtimeMessage Message, long PostedAt);

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 1)
            {
                return;
            }
            _bus.Unsubscribe(this);
            _queue.Writer.TryComplete();
            _stop.Cancel();
        }
    }
}
