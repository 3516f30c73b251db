namespace CrowdShield.Core.Intelligence;

// The payloads of insight:update and prediction:update, published by this feature. The message bus adds eventId and seq on the
// wire and in the feed, so no payload declares them.

public sealed record InsightUpdatePayload(
    int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors, string MlStatus,
    DateTimeOffset GeneratedAt);

public sealed record PredictionUpdatePayload(
    int HorizonMinutes, IReadOnlyList<ZonePrediction> Predictions, DateTimeOffset GeneratedAt);
