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
            _insight = insight.ToMessage();
        }
        if (!Compact && await Forecaster.PredictAsync(EventId, IntelligencePublisher.HorizonMinutes) is { } set)
        {
            _predictions = set.ToMessage();
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
