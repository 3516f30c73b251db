using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

public sealed class LiveMapTests : IAsyncLifetime
{
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly List<RealtimeMessage> _published = [];
    private MessageBus _hub = default!;
    private LiveMap _map = default!;
    private const string EventId = "fest";

    public async Task InitializeAsync()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Events.Add(new Event
            {
                Id = EventId, Name = "Fest", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = _time.GetUtcNow(),
                Zones =
                {
                    new Zone
                    {
                        Id = "gate-3", EventId = EventId, Name = "Gate 3", AreaM2 = 100, AlertThreshold = 400,
                        Polygon = [new(51.5, -0.1), new(51.5009, -0.1), new(51.5009, -0.09856), new(51.5, -0.09856)],
                    },
                },
            });
            await db.SaveChangesAsync();
        }
        _hub = CoreParts.Bus(_db, _time);
        _map = CoreParts.Map(_db, _time);
        _hub.Subscribe(EventId, m => { lock (_published) { _published.Add(m); } return Task.CompletedTask; });
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _db.Dispose();
    }

    private Ping At(double lat, double lng, string? device = null, TimeSpan? age = null, string? user = null)
    {
        var recorded = _time.GetUtcNow() - (age ?? TimeSpan.Zero);
        return new Ping
        {
            EventId = EventId, Lat = lat, Lng = lng, DeviceId = device, UserId = user, RecordedAt = recorded, ExpiresAt = recorded + Ping.Lifetime,
        };
    }

    [Fact]
    public async Task Flush_SendsOneMapUpdate_WithEveryPingSinceTheLast()
    {
        await _map.AddPingsAsync(EventId, [At(51.5001, -0.0999), At(51.5002, -0.0998)]);
        await _map.AddPingsAsync(EventId, [At(51.5003, -0.0997)]);

        await _map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await _map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        await Eventually.TrueAsync(() => _published.Count >= 1);
        var update = Assert.Single(_published).Read<MapUpdatePayload>();
        Assert.Equal(3, update.Points.Count);
        var zone = Assert.Single(update.Zones);
        Assert.Equal(3, zone.Count);
        Assert.Equal(0.03, zone.Density);
    }

    [Fact]
    public async Task AFloodOfPings_IsCappedAtMaxPointsPerUpdate_AndSaysHowManyItLeftOut()
    {
        var map = CoreParts.Map(_db, _time, new MapOptions { MaxPointsPerUpdate = 100 });
        await map.AddPingsAsync(EventId, [.. Enumerable.Range(0, 150).Select(i => At(51.5001 + i * 1e-6, -0.0999))]);

        await map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        await Eventually.TrueAsync(() => _published.Count >= 1);
        var update = Assert.Single(_published).Read<MapUpdatePayload>();
        Assert.Equal(100, update.Points.Count);
        Assert.Equal(50, update.DroppedPoints);
        // The zone still counts every ping: the cap bounds the message, not the picture.
        Assert.Equal(150, Assert.Single(update.Zones).Count);
    }

    [Fact]
    public async Task Ping_ExpiresFifteenMinutesAfterItWasRecorded()
    {
        await _map.AddPingsAsync(EventId, [At(51.5001, -0.0999, age: TimeSpan.FromMinutes(10))]);

        var before = await _map.SnapshotAsync(EventId);
        _time.Advance(TimeSpan.FromMinutes(5));
        var after = await _map.SnapshotAsync(EventId);

        Assert.Single(before!.Points);
        Assert.Empty(after!.Points);
        Assert.Empty(after.Density);
        Assert.Equal(0, after.Zones[0].Count);
    }

    [Fact]
    public async Task AlreadyExpiredPing_IsNeverShown()
    {
        await _map.AddPingsAsync(EventId, [At(51.5001, -0.0999, age: TimeSpan.FromMinutes(20))]);

        await _map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        var snapshot = await _map.SnapshotAsync(EventId);

        Assert.Empty(snapshot!.Points);
        Assert.Empty(_published);
    }

    [Fact]
    public async Task SameDevicePingingAgain_MovesInsteadOfCountingTwice()
    {
        await _map.AddPingsAsync(EventId, [At(51.5001, -0.0999, "phone-1")]);
        await _map.AddPingsAsync(EventId, [At(51.5020, -0.0950, "phone-1")]);

        var snapshot = await _map.SnapshotAsync(EventId);

        var point = Assert.Single(snapshot!.Points);
        Assert.Equal(51.5020, point.Lat);
        Assert.Equal(0, snapshot.Zones[0].Count);
        Assert.Equal(1, snapshot.Density.Sum(c => c.Count));
    }

    [Fact]
    public async Task ADevicePingingTwiceBetweenFlushes_IsSentOnceAtItsLatestPosition_AndTheSameIdFromAnotherSenderIsAnotherPhone()
    {
        await _map.AddPingsAsync(EventId, [At(51.5001, -0.0999, "phone-1"), At(51.5002, -0.0998, "phone-2")]);
        await _map.AddPingsAsync(EventId, [At(51.5003, -0.0997, "phone-1"), At(51.5004, -0.0996, "phone-1", user: "user-b")]);

        await _map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        await Eventually.TrueAsync(() => _published.Count >= 1);
        var update = Assert.Single(_published).Read<MapUpdatePayload>();
        Assert.Equal([51.5002, 51.5003, 51.5004], update.Points.Select(p => p.Lat).Order());
        Assert.Equal(3, Assert.Single(update.Zones).Count);
    }

    [Fact]
    public async Task ADevicePushedOutAndBackInOneRound_IsSentOnce_AndPingsAgainAfterIt()
    {
        var map = CoreParts.Map(_db, _time, new MapOptions { MaxLivePingsPerEvent = 2 });
        // phone-3 pushes phone-1 out while this round's update still holds phone-1's point; phone-1 comes back.
        await map.AddPingsAsync(EventId, [At(51.5001, -0.0999, "phone-1"), At(51.5002, -0.0999, "phone-2"), At(51.5003, -0.0999, "phone-3")]);
        await map.AddPingsAsync(EventId, [At(51.5004, -0.0999, "phone-1")]);

        await map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await Eventually.TrueAsync(() => _published.Count >= 1);
        var first = Assert.Single(_published).Read<MapUpdatePayload>();
        Assert.Equal([51.5002, 51.5003, 51.5004], first.Points.Select(p => p.Lat).Order());

        // Next round: phone-2 was pushed out by phone-1's return and is gone for good; it comes back as a new phone.
        _time.Advance(TimeSpan.FromSeconds(1));
        await map.AddPingsAsync(EventId, [At(51.5005, -0.0999, "phone-2"), At(51.5006, -0.0999, "phone-2")]);
        await map.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await Eventually.TrueAsync(() => _published.Count >= 2);
        var second = _published[1].Read<MapUpdatePayload>();
        Assert.Equal(51.5006, Assert.Single(second.Points).Lat);
        var snapshot = await map.SnapshotAsync(EventId);
        Assert.Equal([51.5004, 51.5006], snapshot!.Points.Select(p => p.Lat).Order());
        Assert.Equal(2, snapshot.Zones[0].Count);
    }

    [Fact]
    public async Task CameraCount_SetsZoneOccupancy_UntilItGoesStale()
    {
        await _map.AddCameraCountAsync(EventId, "gate-3", "cam-1", 250, _time.GetUtcNow());

        var fresh = (await _map.ZonesAsync(EventId))[0];
        _time.Advance(TimeSpan.FromMinutes(6));
        var stale = (await _map.ZonesAsync(EventId))[0];

        Assert.Equal((250, 2.5, DensityBands.Elevated), (fresh.Count, fresh.Density, fresh.Level));
        Assert.Equal(0, stale.Count);
    }

    [Fact]
    public async Task LiveState_IsRebuiltFromTheDatabase_AfterARestart()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Pings.Add(At(51.5001, -0.0999));
            db.Pings.Add(At(51.5001, -0.0999, age: TimeSpan.FromMinutes(30)));
            await db.SaveChangesAsync();
        }
        var restarted = CoreParts.Map(_db, _time);

        var snapshot = await restarted.SnapshotAsync(EventId);

        Assert.Single(snapshot!.Points);
        Assert.Null(await restarted.SnapshotAsync("no-such-event"));
    }

    [Fact]
    public async Task AfterARestart_TheFirstFlushSendsASnapshot_WithThePingsAcknowledgedJustBeforeTheCrash()
    {
        // Stored and acknowledged, but the process died before the next flush: no map:update carried them.
        await using (var db = _db.CreateDbContext())
        {
            db.Pings.Add(At(51.5001, -0.0999, device: "a"));
            db.Pings.Add(At(51.5002, -0.0998, device: "b"));
            db.Pings.Add(At(51.5003, -0.0997, age: TimeSpan.FromMinutes(30)));
            await db.SaveChangesAsync();
        }
        var restarted = CoreParts.Map(_db, _time);

        await restarted.LoadLiveAsync(CancellationToken.None);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await restarted.AddPingsAsync(EventId, [At(51.5004, -0.0996, device: "c")]);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        var updates = await UpdatesAsync(2);
        var snapshot = updates[0].Read<MapUpdatePayload>();
        Assert.True(snapshot.Snapshot);
        Assert.Equal(MapSources.Snapshot, snapshot.Source);
        Assert.Equal(2, snapshot.Points.Count);
        Assert.Equal(2, snapshot.Zones.Single(z => z.ZoneId == "gate-3").Count);
        Assert.Contains("\"snapshot\":true", System.Text.Encoding.UTF8.GetString(updates[0].Json.Bytes), StringComparison.Ordinal);
        var next = updates[1].Read<MapUpdatePayload>();
        Assert.False(next.Snapshot);
        Assert.Equal(MapSources.Pings, next.Source);
        Assert.Single(next.Points);
        Assert.DoesNotContain("snapshot", System.Text.Encoding.UTF8.GetString(updates[1].Json.Bytes), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ANodeThatTakesOverAnEvent_SendsTheSnapshotItCouldNotSendBefore()
    {
        await using (var db = _db.CreateDbContext())
        {
            db.Pings.Add(At(51.5001, -0.0999, device: "a"));
            await db.SaveChangesAsync();
        }
        var restarted = CoreParts.Map(_db, _time);
        await restarted.LoadLiveAsync(CancellationToken.None);

        // Its lease is still held (by the node it replaces, or by itself before the crash) for a few flushes.
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(false), CancellationToken.None);
        await restarted.AddPingsAsync(EventId, [At(51.5004, -0.0996, device: "b")]);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(false), CancellationToken.None);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        var update = Assert.Single(await UpdatesAsync(1)).Read<MapUpdatePayload>();
        Assert.True(update.Snapshot);
        Assert.Equal(2, update.Points.Count);
    }

    [Fact]
    public async Task AnEventWithNothingLive_SendsNoSnapshot()
    {
        var restarted = CoreParts.Map(_db, _time);

        await restarted.LoadLiveAsync(CancellationToken.None);
        await restarted.EnsureLoadedAsync(EventId);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await restarted.AddPingsAsync(EventId, [At(51.5004, -0.0996)]);
        await restarted.FlushAsync(_hub, (_, _) => ValueTask.FromResult(true), CancellationToken.None);

        var update = Assert.Single(await UpdatesAsync(1));
        Assert.Equal(MapSources.Pings, update.Read<MapUpdatePayload>().Source);
    }

    [Fact]
    public async Task TheFlushService_SendsAtMostOneMapUpdatePerSecondPerEvent_HoweverFastPingsCome()
    {
        var leases = new CrowdShield.Core.Cluster.WorkLeases(_db, new CrowdShield.Core.Cluster.ClusterNode(),
            Microsoft.Extensions.Options.Options.Create(new CrowdShield.Core.Cluster.ClusterOptions()), new CrowdShield.Core.Data.WriteTurns(), _time);
        using var service = new CrowdShield.Web.Hosting.MapFlushService(_map, _hub, leases, _time,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<CrowdShield.Web.Hosting.MapFlushService>.Instance);
        await _map.EnsureLoadedAsync(EventId);
        await service.StartAsync(CancellationToken.None);

        // Ten pings a second for five seconds (fifty pings), the clock moving in 100 ms steps; then two quiet seconds.
        for (var tick = 0; tick < 70; tick++)
        {
            if (tick < 50)
            {
                await _map.AddPingsAsync(EventId, [At(51.5001 + tick * 1e-6, -0.0999)]);
            }
            _time.Advance(TimeSpan.FromMilliseconds(100));
            await Task.Delay(10);
        }
        await Eventually.TrueAsync(() => Updates().Sum(u => u.Read<MapUpdatePayload>().Points.Count) == 50,
            because: $"{Updates().Count} updates carried {Updates().Sum(u => u.Read<MapUpdatePayload>().Points.Count)} points");
        await service.StopAsync(CancellationToken.None);

        var updates = Updates();
        Assert.InRange(updates.Count, 5, 7);
        var times = updates.Select(u => u.Read<MapUpdatePayload>().UpdatedAt).ToList();
        Assert.All(times.Zip(times.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromSeconds(1), $"{pair.First:O} then {pair.Second:O}"));
    }

    private List<RealtimeMessage> Updates()
    {
        lock (_published)
        {
            return [.. _published.Where(m => m.Type == MessageTypes.MapUpdate).OrderBy(m => m.Seq)];
        }
    }

    private async Task<List<RealtimeMessage>> UpdatesAsync(int count)
    {
        await Eventually.TrueAsync(() => Updates().Count >= count);
        await Task.Delay(50);
        return Updates();
    }
}
