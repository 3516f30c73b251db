namespace CrowdShield.Core.Intelligence;

/// <summary>What the risk model sees of an event: the features an outside model service is sent.</summary>
public sealed record RiskFeatures(
    string EventId, IReadOnlyList<ZoneFeatures> Zones, int OpenAlerts, int CriticalAlerts, int RecentReports, DateTimeOffset At);

public sealed record ZoneFeatures(
    string ZoneId, string Name, int Count, double? Density, string Level, double TrendPerMinute, int Forecast15Minutes, int Risk15Minutes);

/// <summary>An outside model's answer.</summary>
public sealed record RemoteRisk(int RiskScore, string Recommendation, double Confidence);

/// <summary>
/// An optional outside model service (configuration Ai:ServiceUrl). It may be slow or down: a null answer means
/// "use the built-in model", which the insight then reports as mlStatus "fallback".
/// </summary>
public interface IRemoteRiskModel
{
    bool IsConfigured { get; }

    Task<RemoteRisk?> AssessAsync(RiskFeatures features, CancellationToken cancellationToken);
}

/// <summary>No remote model: the built-in one answers, as mlStatus "builtin".</summary>
public sealed class NoRemoteRiskModel : IRemoteRiskModel
{
    public bool IsConfigured => false;

    public Task<RemoteRisk?> AssessAsync(RiskFeatures features, CancellationToken cancellationToken) => Task.FromResult<RemoteRisk?>(null);
}
