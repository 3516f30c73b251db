using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Realtime;

/// <summary>
/// The map's one-update-per-second through the real host, hub and flush service, on a clock the test moves: no
/// update goes out until its second has passed, and never more updates than seconds.
/// </summary>
public sealed class MapCadenceTests(ClockedAppFixture app) : IClassFixture<ClockedAppFixture>
{
    [Fact]
    public async Task MapUpdates_WaitForTheirSecond_AndNeverOutnumberTheSecondsPassed()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var device = s.TokenOf(Roles.Device);
        var seconds = 0;

        await PingAsync(api, s, device, 51.50011);
        await SyncAsync(api, s, hub, "first ping sent");
        Assert.Empty(Updates(hub));

        await AdvanceUntilAsync(hub, 51.50011, () => seconds++);
        Assert.InRange(Updates(hub).Count, 1, seconds);

        await PingAsync(api, s, device, 51.50022);
        await SyncAsync(api, s, hub, "second ping sent");
        var before = Updates(hub).Count;
        Assert.DoesNotContain(Updates(hub), u => HasPoint(u, 51.50022));

        await AdvanceUntilAsync(hub, 51.50022, () => seconds++);
        Assert.InRange(Updates(hub).Count, before + 1, seconds);
    }

    private static Task PingAsync(ApiClient api, Scenario s, string device, double lat) =>
        api.JsonAsync(HttpMethod.Post, "/api/v1/pings", device, new { eventId = s.EventId, lat, lng = -0.0998, deviceId = $"phone-{lat}" }, HttpStatusCode.Accepted);

    /// <summary>A report filed now reaches the hub after every message published before it (delivery is in seq order).</summary>
    private static async Task SyncAsync(ApiClient api, Scenario s, HubRecorder hub, string text)
    {
        var report = await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = text, type = "other" }, HttpStatusCode.Created);
        var id = report.GetProperty("id").GetString();
        await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew && x.Payload.GetProperty("id").GetString() == id));
    }

    /// <summary>
    /// Moves the clock a second at a time until an update carries the point: the flush service may still be finishing
    /// its previous pass when the clock moves, and then waits for the next second.
    /// </summary>
    private async Task AdvanceUntilAsync(HubRecorder hub, double lat, Action advanced)
    {
        for (var attempt = 0; attempt < 10; attempt++)
        {
            app.Clock.Advance(TimeSpan.FromSeconds(1));
            advanced();
            var deadline = DateTime.UtcNow.AddSeconds(2);
            while (DateTime.UtcNow < deadline)
            {
                if (Updates(hub).Any(u => HasPoint(u, lat)))
                {
                    return;
                }
                await Task.Delay(20);
            }
        }
        Assert.Fail($"No map:update carried the ping at {lat} after 10 seconds of the app's clock.");
    }

    private static List<JsonElement> Updates(HubRecorder hub) =>
        [.. hub.Received.Where(r => r.Method == MessageTypes.MapUpdate).Select(r => r.Payload)];

    private static bool HasPoint(JsonElement update, double lat) =>
        update.GetProperty("points").EnumerateArray().Any(p => Math.Abs(p.GetProperty("lat").GetDouble() - lat) < 1e-9);
}
