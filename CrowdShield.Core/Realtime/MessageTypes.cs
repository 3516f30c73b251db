namespace CrowdShield.Core.Realtime;

/// <summary>The real-time method names of the contract, exactly as clients subscribe to them.</summary>
public static class MessageTypes
{
    public const string MapUpdate = "map:update";
    public const string AlertNew = "alert:new";
    public const string AlertUpdated = "alert:updated";
    public const string InsightUpdate = "insight:update";
    public const string PredictionUpdate = "prediction:update";
    public const string ActionCreated = "action:created";
    public const string ReportNew = "report:new";
    /// <summary>The event's zones (or name, time zone, capacity) changed: redraw the venue.</summary>
    public const string VenueUpdated = "venue:updated";

    /// <summary>The seven methods of the contract's first version.</summary>
    public static readonly IReadOnlyList<string> Seven =
        [MapUpdate, AlertNew, AlertUpdated, InsightUpdate, PredictionUpdate, ActionCreated, ReportNew];

    public static readonly IReadOnlyList<string> All = [.. Seven, VenueUpdated];
}
