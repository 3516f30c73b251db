using System.Collections.Concurrent;
using CrowdShield.Core.Cluster;
using StackExchange.Redis;

namespace CrowdShield.Web.Cluster;

/// <summary>
/// The backplane on Redis pub/sub: one Redis channel per backplane channel, each message prefixed with the
/// sending node's id so a node skips its own echo. Redis keeps nothing here and needs to keep nothing: what a
/// node misses while Redis is away it reads from the database when it notices (see MessageBus and LiveMap).
/// </summary>
internal sealed class RedisBackplane : IBackplane, IDisposable
{
    private const string Prefix = "crowdshield:";

    private readonly IConnectionMultiplexer _redis;
    private readonly ILogger<RedisBackplane> _logger;
    private readonly byte[] _node = Guid.NewGuid().ToByteArray();
    private readonly ConcurrentDictionary<string, ChannelMessageQueue> _queues = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _handlers = new(StringComparer.Ordinal);

    public RedisBackplane(IConnectionMultiplexer redis, ILogger<RedisBackplane> logger)
    {
        _redis = redis;
        _logger = logger;
        _redis.ConnectionFailed += (_, e) => _logger.LogWarning(e.Exception,
            "Lost Redis ({FailureType}): other nodes' messages now arrive through the database, about once a second", e.FailureType);
        _redis.ConnectionRestored += (_, _) =>
        {
            _logger.LogWarning("Redis is back: real-time messages between nodes flow through it again");
            SubscribeMissing();
            Reconnected?.Invoke();
        };
    }

    public bool IsShared => true;

    public bool IsConnected => _redis.IsConnected;

    public event Action? Reconnected;

    public void Publish(string channel, ReadOnlyMemory<byte> message)
    {
        var framed = new byte[_node.Length + message.Length];
        _node.CopyTo(framed, 0);
        message.Span.CopyTo(framed.AsSpan(_node.Length));
        try
        {
            _redis.GetSubscriber().Publish(RedisChannel.Literal(Prefix + channel), framed, CommandFlags.FireAndForget);
        }
        catch (RedisException ex)
        {
            // Best effort by contract: the database has it, the other nodes will read it from there.
            _logger.LogDebug(ex, "Could not publish on {Channel}", channel);
        }
    }

    public IDisposable Subscribe(string channel, Action<ReadOnlyMemory<byte>> handler)
    {
        var added = new Handler(handler);
        _handlers.AddOrUpdate(channel, _ => new([added]), (_, list) => new([.. list.Items, added]));
        SubscribeMissing();
        return new Unsubscriber(this, channel, added);
    }

    /// <summary>Subscribes every channel that has handlers and no Redis subscription yet (at start, and when Redis returns).</summary>
    private void SubscribeMissing()
    {
        foreach (var channel in _handlers.Keys)
        {
            if (_queues.ContainsKey(channel) || !_redis.IsConnected)
            {
                continue;
            }
            try
            {
                var queue = _redis.GetSubscriber().Subscribe(RedisChannel.Literal(Prefix + channel));
                if (!_queues.TryAdd(channel, queue))
                {
                    queue.Unsubscribe();
                    continue;
                }
                // One queue per channel: messages are handed over in the order Redis delivered them.
                queue.OnMessage(message => Deliver(channel, message.Message));
            }
            catch (RedisException ex)
            {
                _logger.LogWarning(ex, "Could not subscribe to {Channel}; trying again when Redis is back", channel);
            }
        }
    }

    private void Deliver(string channel, RedisValue value)
    {
        var bytes = (ReadOnlyMemory<byte>)value;
        if (bytes.Length < _node.Length || bytes.Span[.._node.Length].SequenceEqual(_node))
        {
            return;
        }
        if (!_handlers.TryGetValue(channel, out var handlers))
        {
            return;
        }
        var message = bytes[_node.Length..];
        foreach (var handler in handlers.Items)
        {
            try
            {
                handler.Action(message);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "A backplane handler failed on {Channel}", channel);
            }
        }
    }

    public void Dispose()
    {
        foreach (var queue in _queues.Values)
        {
            queue.Unsubscribe();
        }
    }

    private sealed record Handler(Action<ReadOnlyMemory<byte>> Action);

    private sealed record ImmutableHandlers(Handler[] Items);

    private sealed class Unsubscriber(RedisBackplane backplane, string channel, Handler handler) : IDisposable
    {
        public void Dispose() =>
            backplane._handlers.AddOrUpdate(channel, _ => new([]), (_, list) => new([.. list.Items.Where(h => h != handler)]));
    }
}
