namespace CrowdShield.Core.Intelligence;

/// <summary>One contribution to the risk score: <see cref="Weight"/> is its share of the 0–100 scale, <see cref="Value"/> how much of it applies (0–1).</summary>
public sealed record RiskFactor(string Name, double Weight, double Value, string Detail);

public sealed record Insight(
    string EventId, int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors,
    string MlStatus, DateTimeOffset GeneratedAt);

public sealed record ZonePrediction(string ZoneId, int PredictedCount, double? PredictedDensity, int Risk, string Level);

public sealed record PredictionSet(string EventId, int HorizonMinutes, DateTimeOffset GeneratedAt, IReadOnlyList<ZonePrediction> Predictions);

public static class MlStatus
{
    /// <summary>The built-in model answered because no remote model is configured.</summary>
    public const string Builtin = "builtin";
}
