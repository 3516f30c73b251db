using System.Text.Json;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>People counters with a fake clock: occupancy arithmetic, the floor at zero, flows over 5 minutes, Axis totals.</summary>
public sealed class CrossingTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private MessageBus _bus = default!;
    private LiveMap _map = default!;
    private CrossingIngest _crossings = default!;
    private AxisPeopleCounter _axis = default!;

    public async Task InitializeAsync()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Events.Add(new Event
            {
                Id = EventId, Name = "Fest", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = _time.GetUtcNow(),
                Zones =
                {
                    new Zone { Id = "gate", EventId = EventId, Name = "Gate", AlertThreshold = 100, GateWidthM = 5, Capacity = 200,
                        Polygon = [new(51.5, -0.1), new(51.5003, -0.1), new(51.5003, -0.0995), new(51.5, -0.0995)] },
                },
            });
            await db.SaveChangesAsync();
        }
        _bus = CoreParts.Bus(_db, _time);
        _map = CoreParts.Map(_db, _time);
        var events = CoreParts.Events(_db);
        var audit = new AuditLog(_db, _time);
        var alerts = CoreParts.Alerts(_db, _bus, _time);
        _crossings = new CrossingIngest(_db, events, _map, alerts, audit, new WriteTurns(), _time);
        _axis = new AxisPeopleCounter(_db, _crossings, _time);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _db.Dispose();
    }

    private Task<CrossingResult?> Cross(int entered, int left, string counter = "c1") =>
        _crossings.IngestAsync(new CrossingRequest(EventId, counter, "gate", entered, left, null));

    private async Task<ZoneDensity> GateAsync() => (await _map.ZonesAsync(EventId)).Single(z => z.ZoneId == "gate");

    [Fact]
    public async Task Occupancy_IsEntriesMinusExits_AndTheZoneCountsIt()
    {
        await Cross(30, 5);
        var result = await Cross(10, 15, counter: "c2");

        Assert.Equal(20, result!.Occupancy);
        var gate = await GateAsync();
        Assert.Equal((20, 20, CountSources.Crossings), (gate.Count, gate.Occupancy!.Value, gate.Source));
        Assert.Equal(0.1, gate.Usage);
    }

    [Fact]
    public async Task Occupancy_NeverGoesBelowZero_AndCountsOnFromThere()
    {
        await Cross(3, 0);

        var below = await Cross(0, 10);
        var after = await Cross(4, 0);

        Assert.Equal(0, below!.Occupancy);
        Assert.Equal(4, after!.Occupancy);
    }

    [Fact]
    public async Task Flows_ArePeoplePerMinuteOverTheLastFiveMinutes_PerZoneAndPerCounter_WithFlowPerMetre()
    {
        await Cross(100, 20, "north");
        _time.Advance(TimeSpan.FromMinutes(2));
        await Cross(50, 0, "south");

        var gate = await GateAsync();
        Assert.Equal((30.0, 4.0), (gate.InflowPerMin!.Value, gate.OutflowPerMin!.Value));
        Assert.Equal(6.0, gate.FlowPerMetre);
        Assert.Equal("A", gate.FlowLevel);
        var counters = await _map.CountersAsync(EventId);
        Assert.Equal([("north", 20.0, 4.0), ("south", 10.0, 0.0)], counters.Select(c => (c.CounterId, c.InflowPerMin, c.OutflowPerMin)));

        _time.Advance(TimeSpan.FromMinutes(4)); // the first message is now 6 minutes old
        gate = await GateAsync();
        Assert.Equal((10.0, 0.0), (gate.InflowPerMin!.Value, gate.OutflowPerMin!.Value));
        Assert.Equal(130, gate.Occupancy);
    }

    [Fact]
    public async Task ARecalibration_SetsTheHeadCount_AndCountingGoesOnFromIt()
    {
        await Cross(80, 10);
        var op = new Caller("op", "op@tests.local", "Op", Roles.Operator, new HashSet<string> { EventId });
        var viewer = op with { Role = Roles.Viewer };

        await Assert.ThrowsAsync<ForbiddenException>(() => _crossings.RecalibrateAsync(EventId, "gate", 40, viewer));
        var set = await _crossings.RecalibrateAsync(EventId, "gate", 40, op);
        var next = await Cross(5, 0);

        Assert.Equal((40, 45), (set!.Occupancy, next!.Occupancy));
        var audit = await new AuditLog(_db, _time).ReadAsync(new AuditQuery(Action: AuditActions.OccupancyRecalibrated));
        Assert.Contains("70 → 40", Assert.Single(audit).Details);
    }

    [Fact]
    public async Task AxisTotals_AreTurnedIntoCrossings_FromTheFirstMessageOn_AndACounterResetIsHandled()
    {
        static AxisCount Totals(long entered, long left) =>
            new("ACCC8E123456", "Gate cam", JsonDocument.Parse("\"2026-07-04T18:00:00Z\"").RootElement, entered, left);

        var first = await _axis.IngestAsync(EventId, "gate", Totals(1000, 900)); // before CrowdShield knew it: the starting point
        var second = await _axis.IngestAsync(EventId, "gate", Totals(1030, 905));
        var reset = await _axis.IngestAsync(EventId, "gate", Totals(7, 2)); // reset at midnight: counts from zero again

        Assert.Equal((0, 25, 30), (first!.Occupancy, second!.Occupancy, reset!.Occupancy));
        Assert.Equal("axis-ACCC8E123456", (await _map.CountersAsync(EventId)).Single().CounterId);
    }

    [Fact]
    public async Task AxisTimestamps_AreReadAsIsoOrUnixSeconds()
    {
        var iso = new AxisCount("S", null, JsonDocument.Parse("\"2026-07-04T17:59:00+00:00\"").RootElement, 1, 0);
        var unix = new AxisCount("S", null, JsonDocument.Parse("1783187940").RootElement, 1, 0);
        var wrong = new AxisCount("S", null, JsonDocument.Parse("\"yesterday\"").RootElement, 1, 0);

        Assert.Equal(new DateTimeOffset(2026, 7, 4, 17, 59, 0, TimeSpan.Zero), iso.CapturedAt());
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1783187940), unix.CapturedAt());
        var errors = new CrowdShield.Core.Validation.ValidationErrors();
        wrong.Validate(errors);
        Assert.True(errors.ToDictionary().ContainsKey("timestamp"));
    }
}

/// <summary>Zones that nest and overlap, and outlines that are no outlines.</summary>
public sealed class ZoneGeometryTests
{
    private static readonly GeoPoint[] Arena = [new(51.5, -0.1), new(51.501, -0.1), new(51.501, -0.098), new(51.5, -0.098)];
    private static readonly GeoPoint[] Pit = [new(51.5004, -0.0994), new(51.5006, -0.0994), new(51.5006, -0.0990), new(51.5004, -0.0990)];
    private static readonly GeoPoint[] EastHalf = [new(51.5, -0.099), new(51.501, -0.099), new(51.501, -0.097), new(51.5, -0.097)];

    [Fact]
    public void APoint_IsInEveryZoneThatHoldsIt_NestedOrOverlapping()
    {
        var index = new ZoneGeometry.Index([Zone("arena", Arena), Zone("pit", Pit), Zone("east", EastHalf)]);

        Assert.Equal([0, 1], index.ZonesAt(51.5005, -0.0992));   // in the pit: arena and pit
        Assert.Equal([0, 2], index.ZonesAt(51.5002, -0.0985));   // where arena and east overlap
        Assert.Equal([2], index.ZonesAt(51.5002, -0.0975));      // east only
        Assert.Empty(index.ZonesAt(51.6, -0.1));
        Assert.Equal([0, 2], index.TopLevel);                    // the pit is inside the arena
    }

    [Theory]
    [InlineData("bowtie")]
    [InlineData("two points")]
    [InlineData("repeated corner")]
    [InlineData("on a line")]
    public void ANonSimpleOrDegenerateOutline_IsRefused(string kind)
    {
        GeoPoint[] points = kind switch
        {
            "bowtie" => [new(51.5, -0.1), new(51.501, -0.098), new(51.501, -0.1), new(51.5, -0.098)],
            "two points" => [new(51.5, -0.1), new(51.501, -0.1)],
            "repeated corner" => [new(51.5, -0.1), new(51.501, -0.1), new(51.5, -0.1), new(51.501, -0.098)],
            _ => [new(51.5, -0.1), new(51.5005, -0.1), new(51.501, -0.1)],
        };

        Assert.NotNull(ZoneGeometry.Problem(points));
    }

    [Fact]
    public void AClosedRing_IsTheSameZoneAsAnOpenOne()
    {
        Assert.Null(ZoneGeometry.Problem([.. Arena, Arena[0]]));
        Assert.Equal(4, ZoneGeometry.Open([.. Arena, Arena[0]]).Count);
    }

    private static ZoneDefinition Zone(string id, GeoPoint[] polygon) => new(id, id, polygon, null, null, 30);
}
