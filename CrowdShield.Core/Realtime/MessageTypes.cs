namespace CrowdShield.Core.Realtime;

/// <summary>The seven real-time method names of the contract, exactly as clients subscribe to them.</summary>
public static class MessageTypes
{
    public const string MapUpdate = "map:update";
    public const string AlertNew = "alert:new";
    public const string AlertUpdated = "alert:updated";
    public const string InsightUpdate = "insight:update";
    public const string PredictionUpdate = "prediction:update";
    public const string ActionCreated = "action:created";
    public const string ReportNew = "report:new";

    public static readonly IReadOnlyList<string> All =
        [MapUpdate, AlertNew, AlertUpdated, InsightUpdate, PredictionUpdate, ActionCreated, ReportNew];
}
