using System.Collections.Concurrent;
using System.Text;

namespace CrowdShield.Core.Cluster;

/// <summary>
/// Tells every node's caches that something changed: a cache subscribes to a kind ("event", "user") and drops its
/// entry when told, whether the change was made here or on another node.
/// </summary>
public sealed class CacheInvalidation
{
    private readonly IBackplane _backplane;
    private readonly ConcurrentDictionary<string, ImmutableHandlers> _handlers = new(StringComparer.Ordinal);

    public CacheInvalidation(IBackplane backplane)
    {
        _backplane = backplane;
        _backplane.Subscribe(BackplaneChannels.Invalidations, OnRemote);
        // Invalidations sent while this node was cut off were missed: everything cached may be stale.
        _backplane.Reconnected += () =>
        {
            foreach (var reset in _resets.Items)
            {
                reset();
            }
        };
    }

    private ImmutableResets _resets = new([]);

    /// <summary>Called when this node may have missed invalidations (the backplane was away): drop everything.</summary>
    public void SubscribeReset(Action reset) => _resets = new([.. _resets.Items, reset]);

    /// <summary>Drops <paramref name="id"/> of <paramref name="kind"/> from every cache on every node.</summary>
    public void Invalidate(string kind, string id)
    {
        Notify(kind, id);
        _backplane.Publish(BackplaneChannels.Invalidations, Encoding.UTF8.GetBytes($"{kind}\n{id}"));
    }

    public void Subscribe(string kind, Action<string> handler) =>
        _handlers.AddOrUpdate(kind, _ => new([handler]), (_, list) => new([.. list.Items, handler]));

    private void OnRemote(ReadOnlyMemory<byte> message)
    {
        var text = Encoding.UTF8.GetString(message.Span);
        var split = text.IndexOf('\n');
        if (split > 0)
        {
            Notify(text[..split], text[(split + 1)..]);
        }
    }

    private void Notify(string kind, string id)
    {
        if (_handlers.TryGetValue(kind, out var handlers))
        {
            foreach (var handler in handlers.Items)
            {
                handler(id);
            }
        }
    }

    private sealed record ImmutableHandlers(Action<string>[] Items);

    private sealed record ImmutableResets(Action[] Items);
}
