using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// The in-process message bus. A single writer loop takes published messages in arrival order, gives each
/// the next seq of its event, stores a whole batch in the feed in one transaction (group commit), and only
/// then completes the publishers and fans out. One writer makes seq gap-free and ordered without locks,
/// and a failed batch is rolled back before any seq of it was seen by anyone.
/// </summary>
public sealed class MessageBus : IMessageBus, IAsyncDisposable
{
    private const int MaxBatch = 512;

    private readonly IFeedStore _feed;
    private readonly TimeProvider _time;
    private readonly ILogger<MessageBus> _logger;
    private readonly Channel<Pending> _inbox = Channel.CreateUnbounded<Pending>(new() { SingleReader = true });
    private readonly Dictionary<string, long> _lastSeq = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableArray<Subscriber>> _subscribers = new(StringComparer.Ordinal);
    private readonly ImmutableArray<Subscriber> _sinks;
    private readonly Task _writer;

    public MessageBus(IFeedStore feed, IEnumerable<IRealtimeSink> sinks, TimeProvider time, ILogger<MessageBus> logger)
    {
        _feed = feed;
        _time = time;
        _logger = logger;
        // Sinks are transports to other machines (SignalR clients): they must not lose messages, so their
        // queues are unbounded; a screen in this process can catch up from the feed, so its queue is bounded.
        _sinks = [.. sinks.Select(s => new Subscriber(this, eventId: null, s.DeliverAsync, capacity: null))];
        _writer = Task.Run(WriteLoopAsync);
    }

    public Task<RealtimeMessage> PublishAsync(string eventId, string type, object payload, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(eventId);
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(payload);
        var pending = new Pending(eventId, type, payload, new(TaskCreationOptions.RunContinuationsAsynchronously));
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
        var subscriber = new Subscriber(this, eventId, (m, _) => handler(m), capacity: 4096);
        _subscribers.AddOrUpdate(eventId, [subscriber], (_, list) => list.Add(subscriber));
        return subscriber;
    }

    /// <summary>How many in-process subscriptions an event has (for diagnostics and tests).</summary>
    public int SubscriberCount(string eventId) =>
        _subscribers.TryGetValue(eventId, out var list) ? list.Length : 0;

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
        var batch = new List<Pending>(MaxBatch);
        var entries = new List<FeedEntry>(MaxBatch);
        var messages = new List<RealtimeMessage>(MaxBatch);
        var scratch = new System.Buffers.ArrayBufferWriter<byte>(4096);
        while (await _inbox.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            entries.Clear();
            messages.Clear();
            while (batch.Count < MaxBatch && _inbox.Reader.TryRead(out var next))
            {
                batch.Add(next);
            }

            var assigned = new Dictionary<string, long>(StringComparer.Ordinal);
            try
            {
                var now = _time.GetUtcNow();
                foreach (var pending in batch)
                {
                    if (!assigned.TryGetValue(pending.EventId, out var seq))
                    {
                        seq = _lastSeq.TryGetValue(pending.EventId, out var last)
                            ? last
                            : await _feed.GetLastSeqAsync(pending.EventId, CancellationToken.None).ConfigureAwait(false);
                    }
                    seq++;
                    assigned[pending.EventId] = seq;
                    var json = RealtimeJson.Compose(pending.EventId, seq, pending.Payload, scratch);
                    messages.Add(new RealtimeMessage(pending.EventId, seq, pending.Type, now, json) { Payload = pending.Payload });
                    entries.Add(new FeedEntry
                    {
                        EventId = pending.EventId, Seq = seq, Type = pending.Type, Payload = json.Bytes, At = now,
                    });
                }
                await _feed.AppendAsync(entries, CancellationToken.None).ConfigureAwait(false);
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

            foreach (var (eventId, seq) in assigned)
            {
                _lastSeq[eventId] = seq;
            }
            for (var i = 0; i < batch.Count; i++)
            {
                Dispatch(messages[i]);
                batch[i].Completion.TrySetResult(messages[i]);
            }
        }
    }

    private void Dispatch(RealtimeMessage message)
    {
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
        _inbox.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        foreach (var sink in _sinks)
        {
            await sink.DrainAsync().ConfigureAwait(false);
        }
    }

    private sealed record Pending(string EventId, string Type, object Payload, TaskCompletionSource<RealtimeMessage> Completion);

    /// <summary>
    /// One receiver with its own queue and pump: a slow or throwing handler delays only itself.
    /// Disposing is idempotent and stops deliveries that have not started.
    /// </summary>
    private sealed class Subscriber : IDisposable
    {
        private readonly MessageBus _bus;
        private readonly Func<RealtimeMessage, CancellationToken, Task> _handler;
        private readonly Channel<RealtimeMessage> _queue;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _pump;
        private int _disposed;

        public Subscriber(MessageBus bus, string? eventId, Func<RealtimeMessage, CancellationToken, Task> handler, int? capacity)
        {
            _bus = bus;
            EventId = eventId;
            _handler = handler;
            _queue = capacity is { } size
                ? Channel.CreateBounded<RealtimeMessage>(new BoundedChannelOptions(size)
                {
                    SingleReader = true,
                    FullMode = BoundedChannelFullMode.DropOldest,
                })
                : Channel.CreateUnbounded<RealtimeMessage>(new() { SingleReader = true });
            _pump = Task.Run(PumpAsync);
        }

        public string? EventId { get; }

        public void Post(RealtimeMessage message) => _queue.Writer.TryWrite(message);

        public Task DrainAsync()
        {
            _queue.Writer.TryComplete();
            return _pump;
        }

        private async Task PumpAsync()
        {
            await foreach (var message in _queue.Reader.ReadAllAsync().ConfigureAwait(false))
            {
                if (_stop.IsCancellationRequested)
                {
                    return;
                }
                try
                {
                    await _handler(message, _stop.Token).ConfigureAwait(false);
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
