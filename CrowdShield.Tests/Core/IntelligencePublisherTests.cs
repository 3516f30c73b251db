using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Data;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>
/// When insight:update and prediction:update go out, on the real bus and feed with a fake clock: what was asked for
/// is always sent, the periodic pass sends only news against what was last sent by anyone, and forecasts every 30 s.
/// </summary>
public sealed class IntelligencePublisherTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private MessageBus _bus = default!;
    private CameraIngest _cameras = default!;
    private IntelligencePublisher _publisher = default!;

    public async Task InitializeAsync()
    {
        await _db.AddEventAsync(EventId, _time.GetUtcNow(), new Zone { Id = "gate", EventId = EventId, Name = "Gate 3", AlertThreshold = 100 });
        _bus = CoreParts.Bus(_db, _time);
        var events = CoreParts.Events(_db);
        var map = CoreParts.Map(_db, _time);
        var mapOptions = Options.Create(new MapOptions());
        var alertOptions = Options.Create(new AlertOptions());
        var alerts = CoreParts.Alerts(_db, _bus, _time);
        _cameras = new CameraIngest(_db, events, map, alerts, new WriteTurns(), _time);
        var history = new ZoneHistory(_db);
        var forecaster = new Forecaster(map, events, history, mapOptions, _time);
        var insights = new InsightEngine(map, events, history, forecaster, new NoRemoteRiskModel(), _db, mapOptions, CoreParts.Metrics(), _time);
        _publisher = new IntelligencePublisher(insights, forecaster, new ForecastWatch(forecaster, events, alerts, alertOptions), _bus, _time);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _db.Dispose();
    }

    /// <summary>The types stored in the event's feed so far: publishing completes only once stored, so no waiting.</summary>
    private async Task<List<string>> SentAsync() =>
        [.. (await new EfFeedStore(_db, new WriteTurns()).ReadAsync(EventId, 0, 1000, CancellationToken.None)).Select(e => e.Type)];

    private static int Count(List<string> sent, string type) => sent.Count(t => t == type);

    private Task CountAsync(int people) => _cameras.IngestAsync(new CameraCountRequest(EventId, "cam-1", "gate", people, null, null));

    [Fact]
    public async Task WhatACallerAskedFor_IsSentEveryTime_EvenUnchanged()
    {
        var first = await _publisher.InsightAsync(EventId);
        var second = await _publisher.InsightAsync(EventId);
        var predictions = await _publisher.PredictionsAsync(EventId, 60);

        Assert.Equal(first!.RiskScore, second!.RiskScore);
        Assert.Equal(60, predictions!.HorizonMinutes);
        var sent = await SentAsync();
        Assert.Equal(2, Count(sent, MessageTypes.InsightUpdate));
        Assert.Equal(1, Count(sent, MessageTypes.PredictionUpdate));
    }

    [Fact]
    public async Task AnUnknownEvent_GivesNothing_AndSendsNothing()
    {
        Assert.Null(await _publisher.InsightAsync("nowhere"));
        Assert.Null(await _publisher.PredictionsAsync("nowhere", 15));
        Assert.Empty(await new EfFeedStore(_db, new WriteTurns()).ReadAsync("nowhere", 0, 10, CancellationToken.None));
    }

    [Fact]
    public async Task ThePeriodicPass_SendsOnlyNews()
    {
        await _publisher.ReassessAsync(EventId);
        var afterFirst = await SentAsync();
        Assert.Equal(1, Count(afterFirst, MessageTypes.InsightUpdate));
        Assert.Equal(1, Count(afterFirst, MessageTypes.PredictionUpdate));

        // Nothing moved: a pass 40 s later (predictions due again) sends nothing.
        _time.Advance(TimeSpan.FromSeconds(40));
        await _publisher.ReassessAsync(EventId);
        Assert.Equal(afterFirst, await SentAsync());

        // The zone fills to its threshold: the risk score jumps, and so does the forecast.
        _time.Advance(TimeSpan.FromSeconds(40));
        await CountAsync(100);
        var sentBefore = await SentAsync();
        await _publisher.ReassessAsync(EventId);
        var sent = await SentAsync();
        Assert.Equal(Count(sentBefore, MessageTypes.InsightUpdate) + 1, Count(sent, MessageTypes.InsightUpdate));
        Assert.Equal(Count(sentBefore, MessageTypes.PredictionUpdate) + 1, Count(sent, MessageTypes.PredictionUpdate));
    }

    [Fact]
    public async Task APassRightAfterARequest_DoesNotSendTheSameInsightAgain()
    {
        await _publisher.InsightAsync(EventId);
        await _publisher.PredictionsAsync(EventId, IntelligencePublisher.HorizonMinutes);

        await _publisher.ReassessAsync(EventId);

        var sent = await SentAsync();
        Assert.Equal(1, Count(sent, MessageTypes.InsightUpdate));
        Assert.Equal(1, Count(sent, MessageTypes.PredictionUpdate));
    }

    [Fact]
    public async Task Predictions_AreDueEvery30Seconds_InsightsEveryPass()
    {
        await _publisher.ReassessAsync(EventId);
        _time.Advance(TimeSpan.FromSeconds(10));
        await CountAsync(100);

        await _publisher.ReassessAsync(EventId);
        var early = await SentAsync();
        Assert.Equal(2, Count(early, MessageTypes.InsightUpdate));
        Assert.Equal(1, Count(early, MessageTypes.PredictionUpdate));

        _time.Advance(IntelligencePublisher.PredictionEvery);
        await _publisher.ReassessAsync(EventId);
        Assert.Equal(2, Count(await SentAsync(), MessageTypes.PredictionUpdate));
    }

    private static Insight Insight(int score, string recommendation = "Watch Gate 3", string status = MlStatus.Builtin) =>
        new("e", score, recommendation, 0.8, [], status, DateTimeOffset.UnixEpoch);

    private static PredictionSet Predictions(int horizon, params (int Count, int Risk, string Level)[] zones) =>
        new("e", horizon, DateTimeOffset.UnixEpoch, [.. zones.Select((z, i) => new ZonePrediction($"z{i}", z.Count, null, z.Risk, z.Level, "trend"))]);

    [Theory]
    [InlineData(40, 42, false)]
    [InlineData(40, 45, true)]
    [InlineData(40, 35, true)]
    public void AnInsight_IsNewsWhenTheScoreMovesFivePoints(int before, int now, bool changed) =>
        Assert.Equal(changed, IntelligencePublisher.Changed(Insight(before), Insight(now)));

    [Fact]
    public void AnInsight_IsNewsWhenTheRecommendationOrModelChanges()
    {
        Assert.True(IntelligencePublisher.Changed(Insight(40), Insight(41, "Hold the inflow at Gate 3")));
        Assert.True(IntelligencePublisher.Changed(Insight(40), Insight(40, status: MlStatus.Fallback)));
        Assert.True(IntelligencePublisher.Changed(null, Insight(0)));
        Assert.False(IntelligencePublisher.Changed(Insight(40), Insight(40)));
    }

    [Fact]
    public void Predictions_AreNewsOnALevelOrHorizonChange_NotOnNoise()
    {
        Assert.False(IntelligencePublisher.Changed(Predictions(15, (100, 40, "moderate")), Predictions(15, (103, 42, "moderate"))));
        Assert.True(IntelligencePublisher.Changed(Predictions(15, (100, 40, "moderate")), Predictions(15, (104, 44, "elevated"))));
        Assert.True(IntelligencePublisher.Changed(Predictions(15, (100, 40, "moderate")), Predictions(15, (130, 45, "moderate"))));
        Assert.True(IntelligencePublisher.Changed(Predictions(60, (100, 40, "moderate")), Predictions(15, (100, 40, "moderate"))));
    }
}
