using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Tests.Infrastructure;
using R = CrowdShield.Core.Users.Roles;

namespace CrowdShield.Tests.Api;

/// <summary>Venue inputs over the API: counters, nested zones, zones edited live, staff apart from the crowd, capacity, venue time.</summary>
[Collection(AppCollection.Name)]
public sealed class VenueTests(AppFixture app)
{
    private static object Square(double lat, double lng, double size) =>
        new[] { new { lat, lng }, new { lat = lat + size, lng }, new { lat = lat + size, lng = lng + size }, new { lat, lng = lng + size } };

    private static async Task<(ApiClient Api, Scenario S, string EventId)> ArenaAsync(AppFixture app)
    {
        var api = app.Api();
        var s = await api.ScenarioAsync();
        // An arena with a pit inside it, and a concourse overlapping the arena's east side.
        await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/zones.geojson", s.AdminToken, JsonDocument.Parse("""
            {"type":"FeatureCollection","features":[
              {"type":"Feature","properties":{"id":"arena","name":"Arena","capacity":500},"geometry":{"type":"Polygon","coordinates":[[[-0.1,51.5],[-0.098,51.5],[-0.098,51.501],[-0.1,51.501],[-0.1,51.5]]]}},
              {"type":"Feature","properties":{"id":"pit","name":"Pit","alertThreshold":5},"geometry":{"type":"Polygon","coordinates":[[[-0.0994,51.5004],[-0.099,51.5004],[-0.099,51.5006],[-0.0994,51.5006],[-0.0994,51.5004]]]}},
              {"type":"Feature","properties":{"id":"east","name":"East concourse"},"geometry":{"type":"Polygon","coordinates":[[[-0.099,51.5],[-0.097,51.5],[-0.097,51.501],[-0.099,51.501],[-0.099,51.5]]]}}
            ]}
            """).RootElement);
        return (api, s, s.EventId);
    }

    private static async Task<Dictionary<string, JsonElement>> ZonesAsync(ApiClient api, Scenario s) =>
        (await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.TokenOf(R.Viewer))).GetProperty("zones").EnumerateArray()
            .ToDictionary(z => z.GetProperty("zoneId").GetString()!);

    [Fact]
    public async Task APing_CountsInEveryZoneThatHoldsIt_NestedAndOverlapping_AndTheVenueTotalCountsItOnce()
    {
        var (api, s, eventId) = await ArenaAsync(app);
        using var _ = api;
        await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(R.Device), new
        {
            eventId,
            pings = new object[]
            {
                new { lat = 51.5005, lng = -0.0992, deviceId = "in-pit" },          // arena + pit
                new { lat = 51.5002, lng = -0.0985, deviceId = "arena-and-east" },  // arena + east
                new { lat = 51.5002, lng = -0.0975, deviceId = "east-only" },       // east
            },
        }, HttpStatusCode.Accepted);

        var zones = await ZonesAsync(api, s);
        Assert.Equal((2, 1, 2), (zones["arena"].GetProperty("count").GetInt32(), zones["pit"].GetProperty("count").GetInt32(), zones["east"].GetProperty("count").GetInt32()));
        Assert.Equal("pings", zones["arena"].GetProperty("source").GetString());
        Assert.Equal(500, zones["arena"].GetProperty("capacity").GetInt32());
        Assert.Equal(0.004, zones["arena"].GetProperty("usage").GetDouble());
        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={eventId}", s.TokenOf(R.Viewer));
        // The pit is inside the arena: the venue counts arena and east concourse (which overlap: a known limit).
        Assert.Equal(4, map.GetProperty("venue").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Crossings_GiveOccupancyAndFlows_ThatTheZoneCounts_AndOperatorsRecalibrate()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(R.Device);

        var first = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/crossings", device,
            new { eventId = s.EventId, counterId = "door-a", zoneId = "gate-3", @in = 40, @out = 5 }, HttpStatusCode.Accepted);
        var second = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/crossings", device,
            new { eventId = s.EventId, counterId = "door-b", zoneId = "gate-3", @in = 0, @out = 100 }, HttpStatusCode.Accepted);

        Assert.Equal(("gate-3", 35), (first.GetProperty("zoneId").GetString(), first.GetProperty("occupancy").GetInt32()));
        Assert.Equal(0, second.GetProperty("occupancy").GetInt32());
        var gate = (await ZonesAsync(api, s))["gate-3"];
        Assert.Equal(("crossings", 0, 0), (gate.GetProperty("source").GetString(), gate.GetProperty("count").GetInt32(), gate.GetProperty("occupancy").GetInt32()));
        Assert.Equal(8.0, gate.GetProperty("inflowPerMin").GetDouble());
        Assert.Equal(21.0, gate.GetProperty("outflowPerMin").GetDouble());
        var counters = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/counters", s.TokenOf(R.Viewer));
        Assert.Equal(["door-a", "door-b"], counters.EnumerateArray().Select(c => c.GetProperty("counterId").GetString()));

        using var asViewer = await api.SendAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/zones/gate-3/occupancy", s.TokenOf(R.Viewer), new { occupancy = 50 });
        var recalibrated = await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/zones/gate-3/occupancy", s.TokenOf(R.Operator), new { occupancy = 50 });
        Assert.Equal(HttpStatusCode.Forbidden, asViewer.StatusCode);
        Assert.Equal(50, recalibrated.GetProperty("occupancy").GetInt32());
        // Over the threshold (30) by its counters, the gate alerts as it would by its camera.
        var alerts = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.TokenOf(R.Operator));
        Assert.Contains(alerts.EnumerateArray(), a => a.GetProperty("zoneId").GetString() == "gate-3" && a.GetProperty("type").GetString() == "overcrowding");
    }

    [Fact]
    public async Task TheAxisAdapter_TakesTheCountersOwnJson_WithTotalsSinceReset()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var path = $"/api/v1/cctv/axis?eventId={s.EventId}&zoneId=gate-3";
        static object Axis(long entered, long left) => new { serial = "ACCC8E0A1B2C", name = "Gate 3 counter", timestamp = "2026-11-30T09:00:00Z", @in = entered, @out = left };

        var start = await api.JsonAsync(HttpMethod.Post, path, s.TokenOf(R.Device), Axis(5000, 4990), HttpStatusCode.Accepted);
        var later = await api.JsonAsync(HttpMethod.Post, path, s.TokenOf(R.Device), Axis(5012, 4992), HttpStatusCode.Accepted);
        var afterReset = await api.JsonAsync(HttpMethod.Post, path, s.TokenOf(R.Device), Axis(3, 0), HttpStatusCode.Accepted);

        Assert.Equal([0, 10, 13], new[] { start, later, afterReset }.Select(r => r.GetProperty("occupancy").GetInt32()));
    }

    [Fact]
    public async Task StaffPings_AreAStaffLayer_NeverCrowd_AndADeviceCannotPoseAsStaff()
    {
        var (api, s, eventId) = await ArenaAsync(app);
        using var _ = api;
        var field = s.Users[R.Field];

        await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", field.Token, new { eventId, lat = 51.5005, lng = -0.0992, deviceId = "tablet" }, HttpStatusCode.Accepted);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(R.Device), new { eventId, lat = 51.5005, lng = -0.0993, deviceId = "tablet" }, HttpStatusCode.Accepted);

        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={eventId}", s.TokenOf(R.Viewer));
        var staff = Assert.Single(map.GetProperty("staff").EnumerateArray());
        Assert.Equal((field.Id, "Test field"), (staff.GetProperty("userId").GetString(), staff.GetProperty("name").GetString()));
        Assert.Equal(["arena", "pit"], staff.GetProperty("zoneIds").EnumerateArray().Select(z => z.GetString()));
        // Only the device's ping is crowd: one point, one person in the pit, one cell of heat.
        Assert.Single(map.GetProperty("points").EnumerateArray());
        Assert.Equal(1, map.GetProperty("density").EnumerateArray().Sum(c => c.GetProperty("count").GetInt32()));
        Assert.Equal(1, map.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("zoneId").GetString() == "pit").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task Zones_AreCreatedReplacedAndDeleted_AndEachChangeIsBroadcastAsVenueUpdated_WithSeq_AndInTheFeed()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(R.Viewer));
        var zones = $"/api/v1/events/{s.EventId}/zones";

        var created = await api.JsonAsync(HttpMethod.Post, zones, s.AdminToken,
            new { id = "bar", name = "Bar", polygon = Square(51.5, -0.099, 0.0002), alertThreshold = 60, capacity = 80, gateWidthM = 3.5 }, HttpStatusCode.Created);
        using var duplicate = await api.SendAsync(HttpMethod.Post, zones, s.AdminToken, new { id = "bar", name = "Bar again" });
        using var asOperator = await api.SendAsync(HttpMethod.Post, zones, s.TokenOf(R.Operator), new { name = "Not mine" });
        var replaced = await api.JsonAsync(HttpMethod.Put, $"{zones}/bar", s.AdminToken, new { name = "Bar & grill", polygon = Square(51.5, -0.099, 0.0003) });
        using var deleted = await api.SendAsync(HttpMethod.Delete, $"{zones}/stage", s.AdminToken);
        using var gone = await api.SendAsync(HttpMethod.Delete, $"{zones}/stage", s.AdminToken);

        Assert.Equal(("bar", 3.5), (created.GetProperty("id").GetString(), created.GetProperty("gateWidthM").GetDouble()));
        Assert.Equal((HttpStatusCode.Conflict, HttpStatusCode.Forbidden), (duplicate.StatusCode, asOperator.StatusCode));
        Assert.Equal(("Bar & grill", 30, JsonValueKind.Null), (replaced.GetProperty("name").GetString(), replaced.GetProperty("alertThreshold").GetInt32(),
            replaced.GetProperty("capacity").ValueKind));
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (deleted.StatusCode, gone.StatusCode));
        var updates = await hub.WaitForAsync(r => r.Count(x => x.Method == MessageTypes.VenueUpdated) == 3);
        var last = updates.Last(x => x.Method == MessageTypes.VenueUpdated).Payload;
        Assert.Equal(["bar", "gate-3"], last.GetProperty("zones").EnumerateArray().Select(z => z.GetProperty("id").GetString()));
        Assert.True(last.GetProperty("seq").GetInt64() > 0);
        var feed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0", s.TokenOf(R.Viewer));
        Assert.Equal(3, feed.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("type").GetString() == MessageTypes.VenueUpdated));
        var audit = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}&limit=1000", s.AdminToken);
        Assert.Equal(["zone_created", "zone_changed", "zone_deleted"],
            audit.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("action").GetString()).Where(a => a!.StartsWith("zone_", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task GeoJson_RoundTrips_IdsAndShapes_AndAPutReplacesTheZones()
    {
        var (api, s, eventId) = await ArenaAsync(app);
        using var _ = api;
        var path = $"/api/v1/events/{eventId}/zones.geojson";

        using var response = await api.SendAsync(HttpMethod.Get, path, s.TokenOf(R.Viewer));
        Assert.Equal("application/geo+json", response.Content.Headers.ContentType?.MediaType);
        var exported = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var arena = exported.GetProperty("features").EnumerateArray().Single(f => f.GetProperty("properties").GetProperty("id").GetString() == "arena");
        var ring = arena.GetProperty("geometry").GetProperty("coordinates")[0];
        Assert.Equal(5, ring.GetArrayLength());
        Assert.Equal(ring[0].GetRawText(), ring[4].GetRawText());
        Assert.Equal((-0.1, 51.5), (ring[0][0].GetDouble(), ring[0][1].GetDouble()));

        var again = await api.JsonAsync(HttpMethod.Put, path, s.AdminToken, exported);
        using var reexported = await api.SendAsync(HttpMethod.Get, path, s.TokenOf(R.Viewer));
        Assert.Equal(["arena", "east", "pit"], again.EnumerateArray().Select(z => z.GetProperty("id").GetString()));
        Assert.True(JsonElement.DeepEquals(exported, JsonDocument.Parse(await reexported.Content.ReadAsStringAsync()).RootElement), "the round trip changed the zones");

        using var bad = await api.SendAsync(HttpMethod.Put, path, s.AdminToken, JsonDocument.Parse("""
            {"type":"FeatureCollection","features":[{"type":"Feature","properties":{"name":"Bowtie"},"geometry":{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}}]}
            """).RootElement);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("features[0].geometry", await bad.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PatchingTheEvent_SetsItsTimeZoneAndLicence_AndAnUnknownTimeZoneIsRefused()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var path = $"/api/v1/events/{s.EventId}";

        using var unknown = await api.SendAsync(HttpMethod.Patch, path, s.AdminToken, new { timeZone = "Mars/Olympus_Mons" });
        var patched = await api.JsonAsync(HttpMethod.Patch, path, s.AdminToken, new { timeZone = "Australia/Adelaide", capacity = 1200, name = "Renamed" });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Contains("\"timeZone\"", await unknown.Content.ReadAsStringAsync());
        Assert.Equal(("Australia/Adelaide", 1200, "Renamed"), (patched.GetProperty("timeZone").GetString(), patched.GetProperty("capacity").GetInt32(),
            patched.GetProperty("name").GetString()));
        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.TokenOf(R.Viewer));
        Assert.Equal(1200, map.GetProperty("venue").GetProperty("capacity").GetInt32());
    }
}
