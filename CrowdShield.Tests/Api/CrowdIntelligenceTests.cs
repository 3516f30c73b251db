using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Api;

/// <summary>The app with a one-second recovery hold, so recovery can be seen without waiting minutes.</summary>
public sealed class QuickRecoveryFixture : AppFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() => [new("Alerts:RecoveryHold", "00:00:01")];
}

/// <summary>Camera counts posted over time, read back as a client would: density, alert, escalation, recovery, prediction.</summary>
public sealed class CrowdIntelligenceTests(QuickRecoveryFixture app) : IClassFixture<QuickRecoveryFixture>
{
    private static object Count(string eventId, string zoneId, int count, DateTimeOffset? capturedAt = null, string camera = "cam-1") =>
        new { eventId, cameraId = camera, zoneId, count, capturedAt };

    [Fact]
    public async Task CountsOverTime_ProduceDensityAlertEscalationRecoveryAndPrediction()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(Roles.Device);
        var op = s.TokenOf(Roles.Operator);
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, op);

        // A crowd building at the main stage (2,000 m², threshold 50) over the last four minutes: 20, 35, 45 … then 60 and 80.
        var start = DateTimeOffset.UtcNow.AddMinutes(-4);
        foreach (var (count, minute) in new[] { (20, 0), (35, 1), (45, 2) })
        {
            await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, "stage", count, start.AddMinutes(minute)), HttpStatusCode.Accepted);
        }
        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", op);
        var stage = map.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("zoneId").GetString() == "stage");
        Assert.Equal(45, stage.GetProperty("count").GetInt32());
        Assert.Equal(45 / 2000.0, stage.GetProperty("density").GetDouble(), 3);
        // 0.02 persons/m² is nothing, but 45 is 90 % of what the stage's operators set as their threshold.
        Assert.Equal("elevated", stage.GetProperty("level").GetString());

        var raised = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, "stage", 60, start.AddMinutes(3)), HttpStatusCode.Accepted);
        var alertId = raised.GetProperty("alertId").GetString();
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, "stage", 80), HttpStatusCode.Accepted);
        var prediction = await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/predictions?eventId={s.EventId}&horizonMinutes=15", op);

        // The crowd leaves; low readings until the alert recovers (the hold is one second here).
        await Eventually.TrueAsync(async () =>
        {
            await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, "stage", 10), HttpStatusCode.Accepted);
            var open = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}&status=resolved", op);
            return open.GetArrayLength() == 1;
        }, TimeSpan.FromSeconds(10), "the alert did not recover");

        var received = await hub.WaitForAsync(r => r.Count(x => x.Method == MessageTypes.AlertUpdated) >= 2);
        var updates = received.Where(r => r.Method == MessageTypes.AlertUpdated).Select(r => r.Payload).ToList();
        Assert.Equal(alertId, received.Single(r => r.Method == MessageTypes.AlertNew).Payload.GetProperty("id").GetString());
        Assert.Equal("critical", updates[0].GetProperty("severity").GetString());
        Assert.Equal("resolved", updates[1].GetProperty("status").GetString());
        Assert.NotEqual(JsonValueKind.Null, updates[1].GetProperty("recoveredAt").ValueKind);

        var stagePrediction = prediction.GetProperty("predictions").EnumerateArray().Single(p => p.GetProperty("zoneId").GetString() == "stage");
        Assert.Equal("trend", stagePrediction.GetProperty("basis").GetString());
        Assert.True(stagePrediction.GetProperty("predictedCount").GetInt32() > 80, $"a rising crowd should be forecast to grow: {stagePrediction}");
        Assert.InRange(stagePrediction.GetProperty("risk").GetInt32(), 0, 100);
    }

    [Fact]
    public async Task WeeksOfBackfilledHourlyCounts_GiveAWeeklyForecast_AndRaiseNoAlerts()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(Roles.Device);
        var now = DateTimeOffset.UtcNow;
        var hour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);
        // Nine days of an hourly counter at the gate: busy in the evening, quiet at night, far over the threshold at peak.
        for (var h = 9 * 24; h >= 1; h--)
        {
            var at = hour.AddHours(-h);
            var count = (int)(60 + 50 * Math.Sin((at.Hour - 12) / 24.0 * 2 * Math.PI));
            await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, "gate-3", count, at, "counter"), HttpStatusCode.Accepted);
        }

        var prediction = await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/predictions?eventId={s.EventId}&horizonMinutes=60", s.TokenOf(Roles.Operator));

        var gate = prediction.GetProperty("predictions").EnumerateArray().Single(p => p.GetProperty("zoneId").GetString() == "gate-3");
        Assert.Equal("weekly", gate.GetProperty("basis").GetString());
        Assert.Empty((await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken)).EnumerateArray());
    }

    [Fact]
    public async Task Insight_NamesTheZoneToActOn_WithWeightedFactors()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), Count(s.EventId, "gate-3", 70), HttpStatusCode.Accepted);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "Pushing at gate 3", type = "overcrowding" }, HttpStatusCode.Created);

        var insight = await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/insights?eventId={s.EventId}", s.TokenOf(Roles.Operator));

        Assert.InRange(insight.GetProperty("riskScore").GetInt32(), 45, 100);
        Assert.Contains("Gate 3", insight.GetProperty("recommendation").GetString());
        Assert.InRange(insight.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.Equal("builtin", insight.GetProperty("mlStatus").GetString());
        var factors = insight.GetProperty("factors").EnumerateArray().ToList();
        Assert.Equal(100, factors.Sum(f => f.GetProperty("weight").GetDouble()), 6);
        Assert.Contains(factors, f => f.GetProperty("name").GetString() == "field_reports" && f.GetProperty("value").GetDouble() > 0);
    }
}
