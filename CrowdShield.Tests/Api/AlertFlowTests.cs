using System.Net;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using CrowdShieldDb = CrowdShield.Core.Data.CrowdShieldDb;

namespace CrowdShield.Tests.Api;

/// <remarks>Runs on both providers: <see cref="AlertFlowTests"/> (SQLite) and <see cref="AlertFlowPostgresTests"/>.</remarks>
public abstract class AlertFlowContract(AppFixture app)
{
    private static object Count(string eventId, int count, DateTimeOffset? capturedAt = null) =>
        new { eventId, cameraId = "cam-1", zoneId = "gate-3", count, capturedAt };

    [Fact]
    public async Task RepeatedOverThresholdCounts_OpenOneAlert_AndAWorseCountEscalatesIt()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(Roles.Device);
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));

        var first = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, 35), HttpStatusCode.Accepted);
        var second = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, 38), HttpStatusCode.Accepted);
        var worse = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, Count(s.EventId, 60), HttpStatusCode.Accepted);

        var alertId = first.GetProperty("alertId").GetString();
        Assert.Equal(alertId, second.GetProperty("alertId").GetString());
        Assert.Equal(alertId, worse.GetProperty("alertId").GetString());
        var received = await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.AlertUpdated));
        Assert.Single(received, r => r.Method == MessageTypes.AlertNew);
        var escalation = received.Single(r => r.Method == MessageTypes.AlertUpdated).Payload;
        Assert.Equal("critical", escalation.GetProperty("severity").GetString());
        var alerts = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}&status=open", s.TokenOf(Roles.Viewer));
        Assert.Equal("critical", Assert.Single(alerts.EnumerateArray()).GetProperty("severity").GetString());
    }

    [Fact]
    public async Task CountAtOrBelowThreshold_RaisesNoAlert()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        var result = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), Count(s.EventId, 30), HttpStatusCode.Accepted);

        Assert.Equal(JsonValueKindNull, result.GetProperty("alertId").ValueKind);
        Assert.Empty((await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken)).EnumerateArray());
        // The count does change the map (a map:update may follow), but nothing of it is an alert.
        var feed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0", s.AdminToken);
        Assert.DoesNotContain(feed.GetProperty("items").EnumerateArray(), i => i.GetProperty("type").GetString()!.StartsWith("alert:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task BackfilledCount_FromHoursAgo_RaisesNoAlert_ButIsKeptAsHistory()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        var capturedAt = DateTimeOffset.UtcNow.AddHours(-3);
        var result = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            Count(s.EventId, 500, capturedAt), HttpStatusCode.Accepted);

        Assert.Equal(500, result.GetProperty("count").GetInt32());
        Assert.Equal(JsonValueKindNull, result.GetProperty("alertId").ValueKind);
        Assert.Empty((await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken)).EnumerateArray());
        // History: the reading at its capture time, and the hour it belongs to in the weekly model's roll-ups.
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>().CreateDbContextAsync();
        var reading = await db.CameraCounts.AsNoTracking().SingleAsync(c => c.EventId == s.EventId);
        Assert.Equal((500, "gate-3"), (reading.Count, reading.ZoneId));
        Assert.True((reading.CapturedAt - capturedAt).Duration() < TimeSpan.FromSeconds(1), $"stored as captured at {reading.CapturedAt:O}, sent {capturedAt:O}");
        var hour = await db.HourlyCounts.AsNoTracking().SingleAsync(h => h.EventId == s.EventId);
        Assert.Equal((500.0, 1), (hour.Sum, hour.Readings));
        Assert.InRange(capturedAt - hour.HourStart, TimeSpan.Zero, TimeSpan.FromHours(1));
    }

    [Fact]
    public async Task CountFromObjects_IsTheNumberOfPersons()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var objects = Enumerable.Range(0, 32).Select(_ => new { label = "person", confidence = 0.9 })
            .Append(new { label = "bicycle", confidence = 0.8 }).ToArray();

        var result = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", objects }, HttpStatusCode.Accepted);

        Assert.Equal(32, result.GetProperty("count").GetInt32());
        Assert.NotEqual(JsonValueKindNull, result.GetProperty("alertId").ValueKind);
    }

    [Fact]
    public async Task ConcurrentResolves_BroadcastOneUpdate()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var alertId = (await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), Count(s.EventId, 45), HttpStatusCode.Accepted))
            .GetProperty("alertId").GetString();

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/resolve", s.TokenOf(Roles.Operator))));
        // The sentinel arrives after any duplicate would have.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "sentinel", type = "other" }, HttpStatusCode.Created);

        Assert.All(results, r => Assert.Equal("resolved", r.GetProperty("status").GetString()));
        var received = await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew));
        var update = Assert.Single(received, r => r.Method == MessageTypes.AlertUpdated);
        Assert.NotEqual(JsonValueKindNull, update.Payload.GetProperty("resolvedAt").ValueKind);
    }

    [Fact]
    public async Task AcknowledgingAResolvedAlert_Gets409()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var alertId = (await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), Count(s.EventId, 45), HttpStatusCode.Accepted))
            .GetProperty("alertId").GetString();
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/resolve", s.TokenOf(Roles.Operator));

        using var response = await api.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/acknowledge", s.TokenOf(Roles.Operator));

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
    }

    [Fact]
    public async Task UnknownAlert_Gets404()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/alerts/nope/resolve", s.TokenOf(Roles.Operator));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}

[Collection(AppCollection.Name)]
public sealed class AlertFlowTests(AppFixture app) : AlertFlowContract(app);

[Collection(PostgresCollection.Name)]
public sealed class AlertFlowPostgresTests(PostgresAppFixture app) : AlertFlowContract(app);
