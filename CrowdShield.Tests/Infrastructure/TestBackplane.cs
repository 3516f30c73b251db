using System.Collections.Concurrent;
using CrowdShield.Core.Cluster;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// An in-memory network of backplanes for Core tests of several nodes: what one node publishes reaches the others,
/// in order, unless the network is down or told to lose the next message of a channel.
/// </summary>
public sealed class TestNetwork
{
    private readonly List<TestBackplane> _nodes = [];
    private readonly ConcurrentDictionary<string, int> _toLose = new(StringComparer.Ordinal);

    private bool _up = true;

    /// <summary>Whether messages cross; bringing the network back tells every node it was away.</summary>
    public bool Up
    {
        get => _up;
        set
        {
            var back = value && !_up;
            _up = value;
            if (back)
            {
                TestBackplane[] nodes;
                lock (_nodes)
                {
                    nodes = [.. _nodes];
                }
                foreach (var node in nodes)
                {
                    node.RaiseReconnected();
                }
            }
        }
    }

    public TestBackplane Join()
    {
        var node = new TestBackplane(this);
        lock (_nodes)
        {
            _nodes.Add(node);
        }
        return node;
    }

    /// <summary>The next <paramref name="count"/> messages on <paramref name="channel"/> reach nobody (a node that died before announcing).</summary>
    public void LoseNext(string channel, int count = 1) => _toLose[channel] = count;

    internal void Send(TestBackplane from, string channel, byte[] message)
    {
        if (!Up)
        {
            return;
        }
        if (_toLose.TryGetValue(channel, out var lose) && lose > 0)
        {
            _toLose[channel] = lose - 1;
            return;
        }
        TestBackplane[] nodes;
        lock (_nodes)
        {
            nodes = [.. _nodes];
        }
        foreach (var node in nodes.Where(n => n != from))
        {
            node.Receive(channel, message);
        }
    }
}

public sealed class TestBackplane(TestNetwork network) : IBackplane
{
    private readonly ConcurrentDictionary<string, ImmutableList> _handlers = new(StringComparer.Ordinal);
    private readonly object _order = new();

    public bool IsShared => true;

    public bool IsConnected => network.Up;

    public event Action? Reconnected;

    internal void RaiseReconnected() => Reconnected?.Invoke();

    public void Publish(string channel, ReadOnlyMemory<byte> message) => network.Send(this, channel, message.ToArray());

    public IDisposable Subscribe(string channel, Action<ReadOnlyMemory<byte>> handler)
    {
        _handlers.AddOrUpdate(channel, _ => new([handler]), (_, list) => new([.. list.Items, handler]));
        return new Unsubscribe(() => _handlers.AddOrUpdate(channel, _ => new([]), (_, list) => new([.. list.Items.Where(h => h != handler)])));
    }

    internal void Receive(string channel, byte[] message)
    {
        if (_handlers.TryGetValue(channel, out var list))
        {
            lock (_order)
            {
                foreach (var handler in list.Items)
                {
                    handler(message);
                }
            }
        }
    }

    private sealed record ImmutableList(Action<ReadOnlyMemory<byte>>[] Items);

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
