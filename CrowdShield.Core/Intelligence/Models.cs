namespace CrowdShield.Core.Intelligence;

/// <summary>One contribution to the risk score: <see cref="Weight"/> is its share of the 0–100 scale, <see cref="Value"/> how much of it applies (0–1).</summary>
public sealed record RiskFactor(string Name, double Weight, double Value, string Detail);

public sealed record Insight(
    string EventId, int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors,
    string MlStatus, DateTimeOffset GeneratedAt)
{
    /// <summary>The <c>insight:update</c> payload (the bus adds eventId and seq).</summary>
    public InsightUpdatePayload ToMessage() => new(RiskScore, Recommendation, Confidence, Factors, MlStatus, GeneratedAt);
}

/// <summary>A zone's forecast; <see cref="Basis"/> is what it rests on: "weekly" pattern, short-term "trend", or the "current" count.</summary>
public sealed record ZonePrediction(string ZoneId, int PredictedCount, double? PredictedDensity, int Risk, string Level, string Basis);

public sealed record PredictionSet(string EventId, int HorizonMinutes, DateTimeOffset GeneratedAt, IReadOnlyList<ZonePrediction> Predictions)
{
    /// <summary>The <c>prediction:update</c> payload (the bus adds eventId and seq).</summary>
    public PredictionUpdatePayload ToMessage() => new(HorizonMinutes, Predictions, GeneratedAt);
}

public static class MlStatus
{
    /// <summary>The built-in model answered because no remote model is configured.</summary>
    public const string Builtin = "builtin";
    /// <summary>The remote model service answered.</summary>
    public const string Remote = "remote";
    /// <summary>A remote model is configured but was slow or down; the built-in model answered.</summary>
    public const string Fallback = "fallback";
}
