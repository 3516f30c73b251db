using System.Collections.Concurrent;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Realtime;

namespace CrowdShield.Core.Intelligence;

/// <summary>
/// The one place that decides when <c>insight:update</c> and <c>prediction:update</c> go out. What a caller asked for
/// (<c>GET /ai/insights</c>, <c>/ai/predictions</c>) is sent at once, as the contract says. The periodic reassessment
/// sends only news: a change that matters against what was last sent, whoever sent it, so screens are not refreshed
/// with the same numbers and a request just before a pass does not make the pass send it again.
/// </summary>
public sealed class IntelligencePublisher(InsightEngine insights, Forecaster forecaster, ForecastWatch forecastAlerts, IMessageBus bus, TimeProvider time)
{
    /// <summary>Points of risk score that make a new insight news on their own.</summary>
    public const int ScoreStep = 5;
    public const int HorizonMinutes = 15;
    /// <summary>How often the periodic pass forecasts (and judges forecast alerts); an insight is assessed every pass.</summary>
    public static readonly TimeSpan PredictionEvery = TimeSpan.FromSeconds(30);

    private readonly ConcurrentDictionary<string, Insight> _lastInsight = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PredictionSet> _lastPredictions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _lastForecast = new(StringComparer.Ordinal);

    /// <summary>Assesses the event now and sends the insight to every screen; null if there is no such event.</summary>
    public async Task<Insight?> InsightAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (await insights.AssessAsync(eventId, cancellationToken) is not { } insight)
        {
            return null;
        }
        // Computed is sent: screens get it even if the caller stops waiting.
        await SendAsync(insight, CancellationToken.None);
        return insight;
    }

    /// <summary>Forecasts every zone of the event at <paramref name="horizonMinutes"/> and sends the set; null if there is no such event.</summary>
    public async Task<PredictionSet?> PredictionsAsync(string eventId, int horizonMinutes, CancellationToken cancellationToken = default)
    {
        if (await forecaster.PredictAsync(eventId, horizonMinutes, cancellationToken) is not { } set)
        {
            return null;
        }
        await SendAsync(set, CancellationToken.None);
        return set;
    }

    /// <summary>
    /// The periodic pass for one event: the insight if it changed; every <see cref="PredictionEvery"/> the forecast
    /// alerts and the predictions (if they changed). Run by the node that holds the event's lease.
    /// </summary>
    public async Task ReassessAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (await insights.AssessAsync(eventId, cancellationToken) is { } insight && Changed(_lastInsight.GetValueOrDefault(eventId), insight))
        {
            await SendAsync(insight, cancellationToken);
        }
        var now = time.GetUtcNow();
        if (_lastForecast.TryGetValue(eventId, out var last) && now - last < PredictionEvery)
        {
            return;
        }
        _lastForecast[eventId] = now;
        await forecastAlerts.CheckAsync(eventId, cancellationToken);
        if (await forecaster.PredictAsync(eventId, HorizonMinutes, cancellationToken) is { } set
            && Changed(_lastPredictions.GetValueOrDefault(eventId), set))
        {
            await SendAsync(set, cancellationToken);
        }
    }

    private async Task SendAsync(Insight insight, CancellationToken cancellationToken)
    {
        await bus.PublishAsync(insight.EventId, MessageTypes.InsightUpdate, insight.ToMessage(), cancellationToken);
        _lastInsight[insight.EventId] = insight;
    }

    private async Task SendAsync(PredictionSet set, CancellationToken cancellationToken)
    {
        await bus.PublishAsync(set.EventId, MessageTypes.PredictionUpdate, set.ToMessage(), cancellationToken);
        _lastPredictions[set.EventId] = set;
    }

    /// <summary>A new score band, recommendation or model status is news; a point or two of score is not.</summary>
    public static bool Changed(Insight? before, Insight now) =>
        before is null
        || Math.Abs(before.RiskScore - now.RiskScore) >= ScoreStep
        || before.Recommendation != now.Recommendation
        || before.MlStatus != now.MlStatus;

    /// <summary>Another horizon, another level, 10 points of risk or a count off by more than 10 % (at least 5 people) is news.</summary>
    public static bool Changed(PredictionSet? before, PredictionSet now) =>
        before is null
        || before.HorizonMinutes != now.HorizonMinutes
        || before.Predictions.Count != now.Predictions.Count
        || before.Predictions.Zip(now.Predictions).Any(p => p.First.ZoneId != p.Second.ZoneId
            || p.First.Level != p.Second.Level
            || Math.Abs(p.First.Risk - p.Second.Risk) >= 10
            || Math.Abs(p.First.PredictedCount - p.Second.PredictedCount) > Math.Max(5, 0.1 * p.First.PredictedCount));
}
