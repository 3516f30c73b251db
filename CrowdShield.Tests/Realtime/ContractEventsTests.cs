using System.Globalization;
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
    private const JsonValueKind Text = JsonValueKind.String;
    private const JsonValueKind Number = JsonValueKind.Number;
    private const JsonValueKind List = JsonValueKind.Array;
    private const JsonValueKind Nothing = JsonValueKind.Null;

    /// <summary>The payload fields of each method from the contract, besides eventId and seq, with the JSON types each may have.</summary>
    private static readonly Dictionary<string, (string Field, JsonValueKind[] Kinds)[]> Fields = new()
    {
        [MessageTypes.MapUpdate] = [("points", [List]), ("density", [List]), ("zones", [List]), ("updatedAt", [Text]), ("source", [Text])],
        [MessageTypes.AlertNew] = [("id", [Text]), ("type", [Text]), ("message", [Text]), ("severity", [Text]), ("zoneId", [Text, Nothing]), ("createdAt", [Text])],
        [MessageTypes.AlertUpdated] = [("id", [Text]), ("status", [Text]), ("resolvedAt", [Text, Nothing])],
        [MessageTypes.InsightUpdate] = [("riskScore", [Number]), ("recommendation", [Text]), ("confidence", [Number]), ("factors", [List]), ("mlStatus", [Text])],
        [MessageTypes.PredictionUpdate] = [("horizonMinutes", [Number]), ("predictions", [List]), ("generatedAt", [Text])],
        [MessageTypes.ActionCreated] = [("id", [Text]), ("eventId", [Text]), ("command", [Text]), ("zoneId", [Text, Nothing]), ("createdBy", [Text]), ("createdAt", [Text])],
        [MessageTypes.ReportNew] = [("id", [Text]), ("message", [Text]), ("type", [Text]), ("createdAt", [Text])],
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

        var alertId = await TriggerAllSevenAsync(api, s);
        // All seven, and the map update that carries the steward's ping: it can come a flush (a second) after the
        // camera's, which is enough to have seen a map:update.
        var received = await hub.WaitForAsync(r => MessageTypes.Seven.All(m => r.Any(x => x.Method == m))
            && r.Any(x => x.Method == MessageTypes.MapUpdate && x.Payload.GetProperty("staff").GetArrayLength() > 0));

        foreach (var message in received)
        {
            Assert.Equal(s.EventId, message.Payload.GetProperty("eventId").GetString());
            foreach (var (field, kinds) in Fields[message.Method])
            {
                Assert.True(message.Payload.TryGetProperty(field, out var value), $"{message.Method} lacks '{field}': {message.Payload}");
                Assert.True(kinds.Contains(value.ValueKind), $"{message.Method}.{field} is {value.ValueKind}, not {string.Join(" or ", kinds)}: {message.Payload}");
                if (field.EndsWith("At", StringComparison.Ordinal) && value.ValueKind == Text)
                {
                    Assert.True(DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, out _), $"{message.Method}.{field} is no time: {value}");
                }
            }
        }
        var seqs = received.Select(r => r.Payload.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(i => (long)i), seqs);
        JsonElement First(string method) => received.First(r => r.Method == method).Payload;

        // What was sent comes back: the values, not only the names.
        var alert = First(MessageTypes.AlertNew);
        Assert.Equal((alertId, "overcrowding", "gate-3"), (alert.GetProperty("id").GetString(), alert.GetProperty("type").GetString(), alert.GetProperty("zoneId").GetString()));
        Assert.Contains(alert.GetProperty("severity").GetString(), new[] { "warning", "critical" });
        var updated = First(MessageTypes.AlertUpdated);
        Assert.Equal((alertId, "acknowledged"), (updated.GetProperty("id").GetString(), updated.GetProperty("status").GetString()));
        Assert.Equal(JsonValueKind.Null, updated.GetProperty("resolvedAt").ValueKind);

        var insight = First(MessageTypes.InsightUpdate);
        Assert.InRange(insight.GetProperty("riskScore").GetInt32(), 0, 100);
        Assert.InRange(insight.GetProperty("confidence").GetDouble(), 0, 1);
        Assert.NotEmpty(insight.GetProperty("recommendation").GetString()!);
        Assert.Equal("builtin", insight.GetProperty("mlStatus").GetString());
        Assert.All(insight.GetProperty("factors").EnumerateArray(), f =>
        {
            Assert.Equal(Text, f.GetProperty("name").ValueKind);
            Assert.InRange(f.GetProperty("value").GetDouble(), 0, 1);
        });

        // The one asked for (30 minutes); the periodic pass may also have sent its own 15-minute forecast.
        var predictions = Assert.Single(received.Where(r => r.Method == MessageTypes.PredictionUpdate).Select(r => r.Payload),
            p => p.GetProperty("horizonMinutes").GetInt32() == 30);
        var gate = Assert.Single(predictions.GetProperty("predictions").EnumerateArray(), p => p.GetProperty("zoneId").GetString() == "gate-3");
        Assert.True(gate.GetProperty("predictedCount").GetInt32() >= 0);
        Assert.InRange(gate.GetProperty("risk").GetInt32(), 0, 100);
        Assert.Equal(Text, gate.GetProperty("level").ValueKind);

        var action = First(MessageTypes.ActionCreated);
        Assert.Equal((s.EventId, "open_gate", "gate-3"),
            (action.GetProperty("eventId").GetString(), action.GetProperty("command").GetString(), action.GetProperty("zoneId").GetString()));
        Assert.NotEmpty(action.GetProperty("createdBy").GetString()!);

        var report = First(MessageTypes.ReportNew);
        Assert.Equal(("Crush near gate 3", "overcrowding"), (report.GetProperty("message").GetString(), report.GetProperty("type").GetString()));

        // The steward's ping reaches a map update as a staff position (never part of the crowd); the camera's count
        // reaches its zone.
        var maps = received.Where(r => r.Method == MessageTypes.MapUpdate).Select(r => r.Payload).ToList();
        Assert.Contains(maps, m => m.GetProperty("staff").EnumerateArray().Any(p =>
            Math.Abs(p.GetProperty("lat").GetDouble() - 51.5001) < 1e-9 && Math.Abs(p.GetProperty("lng").GetDouble() + 0.0998) < 1e-9));
        Assert.Contains(maps, m => m.GetProperty("zones").EnumerateArray().Any(z =>
            z.GetProperty("zoneId").GetString() == "gate-3" && z.GetProperty("count").GetInt32() >= 35));
    }

    /// <returns>The id of the alert raised (and acknowledged).</returns>
    internal static async Task<string> TriggerAllSevenAsync(ApiClient api, Scenario s)
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
        return alertId!;
    }
}

[Collection(AppCollection.Name)]
public sealed class ContractEventsTests(AppFixture app) : RealtimeEventsContract(app);

[Collection(PostgresCollection.Name)]
public sealed class ContractEventsPostgresTests(PostgresAppFixture app) : RealtimeEventsContract(app);
