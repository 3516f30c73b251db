namespace CrowdShield.Core.Cluster;

/// <summary>This process among the nodes of a cluster: the holder name of its leases, unique per start.</summary>
public sealed class ClusterNode
{
    public string Id { get; } = Truncate($"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}");

    private static string Truncate(string id) => id.Length <= 128 ? id : id[^128..];
}

/// <summary>Configuration section "Cluster": how fast work moves when a node dies and how soon gaps are filled.</summary>
public sealed class ClusterOptions
{
    /// <summary>A lease not renewed for this long is free: periodic work moves to a surviving node within about this time.</summary>
    public TimeSpan LeaseTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How often held leases are renewed (a fraction of <see cref="LeaseTtl"/>).</summary>
    public TimeSpan RenewEvery { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a message that arrived ahead of its predecessor waits before the gap is read from the feed.</summary>
    public TimeSpan GapWait { get; set; } = TimeSpan.FromMilliseconds(300);

    /// <summary>How often each node compares the feed's counters with what it delivered (catches what the backplane lost).</summary>
    public TimeSpan PollEvery { get; set; } = TimeSpan.FromSeconds(1);
}
