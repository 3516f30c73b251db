using CrowdShield.Core.Intelligence;
using CrowdShield.Web.Hosting;

namespace CrowdShield.Tests.Core;

public sealed class IntelligenceServiceTests
{
    private static Insight Insight(int score, string recommendation = "Watch Gate 3", string status = MlStatus.Builtin) =>
        new("e", score, recommendation, 0.8, [], status, DateTimeOffset.UnixEpoch);

    private static PredictionSet Predictions(params (int Count, int Risk, string Level)[] zones) =>
        new("e", 15, DateTimeOffset.UnixEpoch, [.. zones.Select((z, i) => new ZonePrediction($"z{i}", z.Count, null, z.Risk, z.Level, "trend"))]);

    [Theory]
    [InlineData(40, 42, false)]
    [InlineData(40, 45, true)]
    [InlineData(40, 35, true)]
    public void Insight_IsRebroadcastOnlyWhenTheScoreMovesFivePoints(int before, int now, bool changed) =>
        Assert.Equal(changed, IntelligenceService.Changed(Insight(before), Insight(now)));

    [Fact]
    public void Insight_IsRebroadcastWhenTheRecommendationOrModelChanges()
    {
        Assert.True(IntelligenceService.Changed(Insight(40), Insight(41, "Hold the inflow at Gate 3")));
        Assert.True(IntelligenceService.Changed(Insight(40), Insight(40, status: MlStatus.Fallback)));
        Assert.True(IntelligenceService.Changed(null, Insight(0)));
    }

    [Fact]
    public void Predictions_AreRebroadcastOnALevelChange_NotOnNoise()
    {
        Assert.False(IntelligenceService.Changed(Predictions((100, 40, "moderate")), Predictions((103, 42, "moderate"))));
        Assert.True(IntelligenceService.Changed(Predictions((100, 40, "moderate")), Predictions((104, 44, "elevated"))));
        Assert.True(IntelligenceService.Changed(Predictions((100, 40, "moderate")), Predictions((130, 45, "moderate"))));
    }
}
