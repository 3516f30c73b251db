using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Web.Intelligence;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// Reassesses every active event every few seconds and broadcasts insight:update and prediction:update only
/// when they change meaningfully, so screens are not refreshed with the same numbers. Every 30 seconds it also
/// opens, moves or closes forecast alerts, and it watches cameras for silence.
/// </summary>
internal sealed class IntelligenceService(
    LiveMap map, InsightEngine insights, Forecaster forecaster, ForecastWatch forecastAlerts, CameraWatch cameras, IMessageBus bus, WorkLeases leases,
    IOptions<AiOptions> options, TimeProvider time, ILogger<IntelligenceService> logger) : BackgroundService
{
    public const int ScoreStep = 5;
    public static readonly TimeSpan ActiveWithin = TimeSpan.FromMinutes(15);
    public static readonly TimeSpan PredictionEvery = TimeSpan.FromSeconds(30);

    private readonly Dictionary<string, Insight> _lastInsight = [];
    private readonly Dictionary<string, (PredictionSet Set, DateTimeOffset At)> _lastPrediction = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                // Once per cluster: each event is assessed by the node that holds its lease.
                await cameras.CheckAsync((eventId, ct) => leases.EnsureAsync(WorkLeases.ForEvent(eventId), ct), stoppingToken);
                foreach (var eventId in map.ActiveEvents(ActiveWithin))
                {
                    if (await leases.EnsureAsync(WorkLeases.ForEvent(eventId), stoppingToken))
                    {
                        await AssessAsync(eventId, stoppingToken);
                    }
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Background assessment failed; retrying at the next interval");
            }
        }
    }

    private async Task AssessAsync(string eventId, CancellationToken cancellationToken)
    {
        if (await insights.AssessAsync(eventId, cancellationToken) is { } insight && Changed(_lastInsight.GetValueOrDefault(eventId), insight))
        {
            _lastInsight[eventId] = insight;
            await bus.PublishAsync(eventId, MessageTypes.InsightUpdate, new InsightUpdatePayload(
                insight.RiskScore, insight.Recommendation, insight.Confidence, insight.Factors, insight.MlStatus, insight.GeneratedAt), cancellationToken);
        }
        var now = time.GetUtcNow();
        if (_lastPrediction.TryGetValue(eventId, out var last) && now - last.At < PredictionEvery)
        {
            return;
        }
        _lastPrediction[eventId] = (last.Set, now);
        await forecastAlerts.CheckAsync(eventId, cancellationToken);
        if (await forecaster.PredictAsync(eventId, 15, cancellationToken) is { } set && Changed(last.Set, set))
        {
            _lastPrediction[eventId] = (set, now);
            await bus.PublishAsync(eventId, MessageTypes.PredictionUpdate,
                new PredictionUpdatePayload(set.HorizonMinutes, set.Predictions, set.GeneratedAt), cancellationToken);
        }
    }

    /// <summary>A new score band, recommendation or model status is news; a point or two of score is not.</summary>
    internal static bool Changed(Insight? before, Insight now) =>
        before is null
        || Math.Abs(before.RiskScore - now.RiskScore) >= ScoreStep
        || before.Recommendation != now.Recommendation
        || before.MlStatus != now.MlStatus;

    internal static bool Changed(PredictionSet? before, PredictionSet now) =>
        before is null
        || before.Predictions.Count != now.Predictions.Count
        || before.Predictions.Zip(now.Predictions).Any(p => p.First.Level != p.Second.Level
            || Math.Abs(p.First.Risk - p.Second.Risk) >= 10
            || Math.Abs(p.First.PredictedCount - p.Second.PredictedCount) > Math.Max(5, 0.1 * p.First.PredictedCount));
}
