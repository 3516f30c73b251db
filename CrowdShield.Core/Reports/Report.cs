namespace CrowdShield.Core.Reports;

/// <summary>An incident report filed from the field.</summary>
public sealed class Report
{
    public required string Id { get; init; }
    public required string EventId { get; init; }
    public required string Message { get; init; }
    public required string Type { get; init; }
    public double? Lat { get; init; }
    public double? Lng { get; init; }
    public string? ZoneId { get; init; }
    public required string CreatedBy { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
}

public static class ReportTypes
{
    public static readonly IReadOnlyList<string> All = ["medical", "security", "overcrowding", "lost_person", "fire", "other"];
}
