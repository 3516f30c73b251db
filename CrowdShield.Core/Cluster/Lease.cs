namespace CrowdShield.Core.Cluster;

/// <summary>Who does a piece of periodic work (an event's map flush and assessments, the retention purge) until when.</summary>
public sealed class Lease
{
    public required string Name { get; init; }
    public required string Holder { get; set; }
    public required DateTimeOffset ExpiresAt { get; set; }
}
