namespace CrowdShield.Core.Cluster;

/// <summary>A Data Protection key ring entry, kept in the database so a cookie issued by one node opens on every node.</summary>
public sealed class ProtectionKey
{
    public int Id { get; set; }
    public required string FriendlyName { get; init; }
    public required string Xml { get; init; }
}
