using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Realtime;
using Microsoft.AspNetCore.Components;

namespace CrowdShield.Web.Components.Live;

/// <summary>The AI widget: the risk gauge, the recommendation, confidence, the factors and the model status; per-zone forecasts.</summary>
public sealed partial class AiWidget
{
    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.InsightUpdate, MessageTypes.PredictionUpdate };
    private InsightUpdatePayload? _insight;
    private PredictionUpdatePayload? _predictions;

    /// <summary>Gauge and recommendation only (the kiosk).</summary>
    [Parameter] public bool Compact { get; set; }
    [Parameter] public bool Large { get; set; }

    [Inject] public required InsightEngine Insights { get; init; }
    [Inject] public required Forecaster Forecaster { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override async Task LoadAsync()
    {
        if (await Insights.AssessAsync(EventId) is { } insight)
        {
            _insight = new InsightUpdatePayload(insight.RiskScore, insight.Recommendation, insight.Confidence, insight.Factors, insight.MlStatus, insight.GeneratedAt);
        }
        if (!Compact && await Forecaster.PredictAsync(EventId, 15) is { } set)
        {
            _predictions = new PredictionUpdatePayload(set.HorizonMinutes, set.Predictions, set.GeneratedAt);
        }
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        if (message.Type == MessageTypes.InsightUpdate)
        {
            _insight = message.Read<InsightUpdatePayload>();
        }
        else
        {
            _predictions = message.Read<PredictionUpdatePayload>();
        }
    }

}
