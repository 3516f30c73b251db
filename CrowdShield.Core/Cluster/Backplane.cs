namespace CrowdShield.Core.Cluster;

/// <summary>
/// What the nodes of a cluster tell each other: stored messages, pings, camera counts and cache invalidations.
/// Best effort by design: nothing that must not be lost travels only here (messages are in the feed, pings and
/// counts in the database), so a node that missed something catches up from the database.
/// </summary>
public interface IBackplane
{
    /// <summary>True when other nodes may exist (a shared Redis is configured); false for a single node.</summary>
    bool IsShared { get; }

    /// <summary>Whether what this node publishes currently reaches the other nodes.</summary>
    bool IsConnected { get; }

    /// <summary>Sends to every other node; never blocks and never throws (a lost connection is reported by <see cref="IsConnected"/>).</summary>
    void Publish(string channel, ReadOnlyMemory<byte> message);

    /// <summary>Receives, in order, what other nodes publish on <paramref name="channel"/> (never this node's own messages).</summary>
    IDisposable Subscribe(string channel, Action<ReadOnlyMemory<byte>> handler);

    /// <summary>Raised when the connection to the other nodes is back after a loss: whatever they said meanwhile was missed.</summary>
    event Action? Reconnected;
}

/// <summary>The channels of the backplane.</summary>
public static class BackplaneChannels
{
    public const string Messages = "messages";
    public const string Pings = "pings";
    public const string Cameras = "cameras";
    public const string Crossings = "crossings";
    public const string Invalidations = "invalidations";
}

/// <summary>One node alone: there is nobody to tell.</summary>
public sealed class LocalBackplane : IBackplane
{
    public bool IsShared => false;

    public bool IsConnected => true;

    public void Publish(string channel, ReadOnlyMemory<byte> message)
    {
    }

    public IDisposable Subscribe(string channel, Action<ReadOnlyMemory<byte>> handler) => Nothing.Instance;

    public event Action? Reconnected
    {
        add { }
        remove { }
    }

    private sealed class Nothing : IDisposable
    {
        public static readonly Nothing Instance = new();

        public void Dispose()
        {
        }
    }
}
