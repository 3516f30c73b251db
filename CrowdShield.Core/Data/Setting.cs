namespace CrowdShield.Core.Data;

/// <summary>A value the app makes once and every node must share (the Web Push key pair): kept in the database.</summary>
public sealed class Setting
{
    public required string Name { get; init; }
    public required string Value { get; set; }
}
