using CrowdShield.Core.Intelligence;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record InsightView(
    string EventId, int RiskScore, string Recommendation, double Confidence, IReadOnlyList<RiskFactor> Factors, string MlStatus, DateTimeOffset GeneratedAt);

public sealed record PredictionsView(string EventId, int HorizonMinutes, DateTimeOffset GeneratedAt, IReadOnlyList<ZonePrediction> Predictions);

public static class AiApi
{
    public const int MaxHorizonMinutes = 24 * 60;

    public static RouteGroupBuilder MapAiApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/ai").WithTags("Intelligence").RequireAuthorization(ApiPolicies.Operate).ForOneEvent();
        group.MapGet("/insights", Insights);
        group.MapGet("/predictions", Predictions);
        return group;
    }

    /// <summary>The event's risk now, computed from its live data; also sent to every screen as insight:update.</summary>
    public static async Task<Results<Ok<InsightView>, ProblemHttpResult, ValidationProblem>> Insights(
        string? eventId, HttpContext context, IntelligencePublisher publisher)
    {
        var insight = await publisher.InsightAsync(eventId!, context.RequestAborted);
        if (insight is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        return TypedResults.Ok(new InsightView(insight.EventId, insight.RiskScore, insight.Recommendation, insight.Confidence, insight.Factors, insight.MlStatus, insight.GeneratedAt));
    }

    /// <summary>Per-zone forecasts at the horizon (default 15 minutes); also sent as prediction:update.</summary>
    public static async Task<Results<Ok<PredictionsView>, ProblemHttpResult, ValidationProblem>> Predictions(
        string? eventId, int? horizonMinutes, HttpContext context, IntelligencePublisher publisher)
    {
        if (horizonMinutes is < 1 or > MaxHorizonMinutes)
        {
            return Problems.Invalid("horizonMinutes", $"'horizonMinutes' must be in [1, {MaxHorizonMinutes}].");
        }
        var set = await publisher.PredictionsAsync(eventId!, horizonMinutes ?? IntelligencePublisher.HorizonMinutes, context.RequestAborted);
        if (set is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        return TypedResults.Ok(new PredictionsView(set.EventId, set.HorizonMinutes, set.GeneratedAt, set.Predictions));
    }
}
