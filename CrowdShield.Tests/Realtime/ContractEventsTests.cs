using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.AspNetCore.Http.Connections;

namespace CrowdShield.Tests.Realtime;

/// <remarks>Runs on both providers: <see cref="ContractEventsTests"/> (SQLite) and <see cref="ContractEventsPostgresTests"/>.</remarks>
public abstract class RealtimeEventsContract(AppFixture app)
{
    /// <summary>The payload fields of each method, from the contract, besides eventId and seq.</summary>
    private static readonly Dictionary<string, string[]> Fields = new()
    {
        [MessageTypes.MapUpdate] = ["points", "density", "zones", "updatedAt", "source"],
        [MessageTypes.AlertNew] = ["id", "type", "message", "severity", "zoneId", "createdAt"],
        [MessageTypes.AlertUpdated] = ["id", "status", "resolvedAt"],
        [MessageTypes.InsightUpdate] = ["riskScore", "recommendation", "confidence", "factors", "mlStatus"],
        [MessageTypes.PredictionUpdate] = ["horizonMinutes", "predictions", "generatedAt"],
        [MessageTypes.ActionCreated] = ["id", "eventId", "command", "zoneId", "createdBy", "createdAt"],
        [MessageTypes.ReportNew] = ["id", "message", "type", "createdAt"],
    };

    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task AllSevenEvents_ArriveWithContractPayloadEventIdAndSeq(HttpTransportType transport)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer), transport);

        await TriggerAllSevenAsync(api, s);
        var received = await hub.WaitForAsync(r => MessageTypes.Seven.All(m => r.Any(x => x.Method == m)));

        foreach (var message in received)
        {
            Assert.Equal(s.EventId, message.Payload.GetProperty("eventId").GetString());
            foreach (var field in Fields[message.Method])
            {
                Assert.True(message.Payload.TryGetProperty(field, out _), $"{message.Method} lacks '{field}': {message.Payload}");
            }
        }
        var seqs = received.Select(r => r.Payload.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        Assert.Equal("overcrowding", received.First(r => r.Method == MessageTypes.AlertNew).Payload.GetProperty("type").GetString());
        Assert.Equal("acknowledged", received.First(r => r.Method == MessageTypes.AlertUpdated).Payload.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Feed_ReturnsExactlyWhatWasBroadcast()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Field));

        await TriggerAllSevenAsync(api, s);
        var received = await hub.WaitForAsync(r => MessageTypes.Seven.All(m => r.Any(x => x.Method == m)));
        var feed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0", s.TokenOf(Roles.Viewer));

        var items = feed.GetProperty("items").EnumerateArray().ToList();
        Assert.True(items.Count >= received.Count, $"the feed has {items.Count} messages, {received.Count} were broadcast");
        // Periodic messages (map, insight, prediction) may have been broadcast after the seven: wait until the
        // hub delivered everything the feed holds, then compare one to one.
        received = await hub.WaitForAsync(r => r.Count >= items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            Assert.Equal(received[i].Method, items[i].GetProperty("type").GetString());
            Assert.Equal(received[i].Payload.GetProperty("seq").GetInt64(), items[i].GetProperty("seq").GetInt64());
            Assert.True(JsonElement.DeepEquals(received[i].Payload, items[i].GetProperty("payload")),
                $"feed #{i + 1} differs: {items[i].GetProperty("payload")} vs {received[i].Payload}");
        }
        Assert.Equal(items[^1].GetProperty("seq").GetInt64(), feed.GetProperty("lastSeq").GetInt64());
    }

    [Fact]
    public async Task Feed_AfterLastSeenSeq_ReturnsOnlyWhatCameLater()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var field = s.TokenOf(Roles.Field);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field, new { eventId = s.EventId, message = "one", type = "other" });
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field, new { eventId = s.EventId, message = "two", type = "other" });
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field, new { eventId = s.EventId, message = "three", type = "other" });

        var page = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=1&limit=1", field);

        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal(2, item.GetProperty("seq").GetInt64());
        Assert.Equal("two", item.GetProperty("payload").GetProperty("message").GetString());
        Assert.Equal(2, page.GetProperty("lastSeq").GetInt64());
    }

    internal static async Task TriggerAllSevenAsync(ApiClient api, Scenario s)
    {
        var device = s.TokenOf(Roles.Device);
        var op = s.TokenOf(Roles.Operator);
        var field = s.TokenOf(Roles.Field);
        var count = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", device,
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 35 }, HttpStatusCode.Accepted);
        var alertId = count.GetProperty("alertId").GetString();
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/acknowledge", op);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", field, new { eventId = s.EventId, lat = 51.5001, lng = -0.0998 }, HttpStatusCode.Accepted);
        await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/insights?eventId={s.EventId}", op);
        await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/predictions?eventId={s.EventId}&horizonMinutes=30", op);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", op, new { eventId = s.EventId, command = "open_gate", zoneId = "gate-3" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field, new { eventId = s.EventId, message = "Crush near gate 3", type = "overcrowding", lat = 51.5001, lng = -0.0998 }, HttpStatusCode.Created);
    }
}

[Collection(AppCollection.Name)]
public sealed class ContractEventsTests(AppFixture app) : RealtimeEventsContract(app);

[Collection(PostgresCollection.Name)]
public sealed class ContractEventsPostgresTests(PostgresAppFixture app) : RealtimeEventsContract(app);
