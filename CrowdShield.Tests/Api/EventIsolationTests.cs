using System.Net;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace CrowdShield.Tests.Api;

/// <summary>A member of one event sees nothing of another, on REST and on the hub.</summary>
/// <remarks>Runs on both providers: <see cref="EventIsolationTests"/> (SQLite) and <see cref="EventIsolationPostgresTests"/>.</remarks>
public abstract class EventIsolationContract(AppFixture app)
{
    [Fact]
    public async Task NonMember_IsRefusedOnEveryEventEndpoint_AndNothingIsStored()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var otherEvent = await api.CreateEventAsync(s.AdminToken, "Other venue");
        var outsider = (await api.CreateUserAsync(s.AdminToken, Roles.Operator, otherEvent)).Token;
        var e = s.EventId;
        var before = await api.LastSeqAsync(s.AdminToken, e);

        var hidden = new[] { $"/api/v1/events/{e}", $"/api/v1/events/{e}/feed" };
        foreach (var path in hidden)
        {
            using var response = await api.SendAsync(HttpMethod.Get, path, outsider);
            Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        }
        var refused = new (HttpMethod, string, object?)[]
        {
            (HttpMethod.Get, $"/api/v1/map?eventId={e}", null),
            (HttpMethod.Get, $"/api/v1/alerts?eventId={e}", null),
            (HttpMethod.Get, $"/api/v1/actions?eventId={e}", null),
            (HttpMethod.Get, $"/api/v1/reports?eventId={e}", null),
            (HttpMethod.Get, $"/api/v1/ai/insights?eventId={e}", null),
            (HttpMethod.Get, $"/api/v1/ai/predictions?eventId={e}", null),
            (HttpMethod.Post, "/api/v1/reports", new { eventId = e, message = "x", type = "other" }),
            (HttpMethod.Post, "/api/v1/actions", new { eventId = e, command = "open gate" }),
            (HttpMethod.Post, "/api/v1/pings", new { eventId = e, lat = 51.5, lng = -0.1 }),
            (HttpMethod.Post, "/api/v1/cctv/objects", new { eventId = e, cameraId = "c", zoneId = "gate-3", count = 99 }),
        };
        foreach (var (method, path, body) in refused)
        {
            using var response = await api.SendAsync(method, path, outsider, body);
            Assert.True(response.StatusCode == HttpStatusCode.Forbidden, $"{method} {path}: {(int)response.StatusCode}");
        }
        var events = await api.JsonAsync(HttpMethod.Get, "/api/v1/events", outsider);
        Assert.Equal(otherEvent, Assert.Single(events.EnumerateArray()).GetProperty("id").GetString());
        Assert.Equal(before, await api.LastSeqAsync(s.AdminToken, e));
        var alerts = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={e}", s.AdminToken);
        Assert.Empty(alerts.EnumerateArray());
    }

    [Fact]
    public async Task NonMember_AlertOfAnotherEvent_IsNotFound()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var otherEvent = await api.CreateEventAsync(s.AdminToken, "Other venue");
        var outsider = (await api.CreateUserAsync(s.AdminToken, Roles.Operator, otherEvent)).Token;
        var count = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.AdminToken,
            new { eventId = s.EventId, cameraId = "c", zoneId = "gate-3", count = 60 }, HttpStatusCode.Accepted);

        using var response = await api.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{count.GetProperty("alertId").GetString()}/resolve", outsider);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task Hub_RefusesNonMember_With403(HttpTransportType transport)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var outsider = (await api.CreateUserAsync(s.AdminToken, Roles.Viewer, await api.CreateEventAsync(s.AdminToken, "Elsewhere"))).Token;
        await using var connection = HubRecorder.Build(app.BaseAddress, s.EventId, outsider, transport);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("expired")]
    public async Task Hub_RefusesMissingOrExpiredToken_With401(string? kind)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var token = kind is null ? null : AuthMatrixTests.Token(s.Users[Roles.Viewer].Id, AppFixture.SigningKey, DateTime.UtcNow.AddMinutes(-5));
        await using var connection = HubRecorder.Build(app.BaseAddress, s.EventId, token, HttpTransportType.WebSockets);

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Hub_MemberOfAnotherEvent_ReceivesNothingOfThisOne()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var otherEvent = await api.CreateEventAsync(s.AdminToken, "Other venue");
        var outsider = await api.CreateUserAsync(s.AdminToken, Roles.Operator, otherEvent);
        await using var listener = await HubRecorder.ConnectAsync(app.BaseAddress, otherEvent, outsider.Token);

        await Realtime.ContractEventsTests.TriggerAllSevenAsync(api, s);
        await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/insights?eventId={s.EventId}", s.AdminToken);
        // A message of the listener's own event, published last: once it arrives, anything of the other event would have too.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", outsider.Token, new { eventId = otherEvent, message = "sentinel", type = "other" }, HttpStatusCode.Created);

        var received = await listener.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew));
        Assert.All(received, r => Assert.Equal(otherEvent, r.Payload.GetProperty("eventId").GetString()));
        Assert.Single(received);
    }
}

[Collection(AppCollection.Name)]
public sealed class EventIsolationTests(AppFixture app) : EventIsolationContract(app);

[Collection(PostgresCollection.Name)]
public sealed class EventIsolationPostgresTests(PostgresAppFixture app) : EventIsolationContract(app);
