using CrowdShield.Core.Audit;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>The retention purge on a real database with a fake clock: just past each limit goes, just inside it stays.</summary>
public sealed class RetentionTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private static readonly TimeSpan Margin = TimeSpan.FromMinutes(1);
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly RetentionOptions _keep = new();
    private MessageBus _bus = default!;
    private Retention _retention = default!;

    public async Task InitializeAsync()
    {
        await _db.AddEventAsync(EventId, _time.GetUtcNow(), new Zone { Id = "gate", EventId = EventId, Name = "Gate 3", AlertThreshold = 100 });
        _bus = CoreParts.Bus(_db, _time);
        _retention = new Retention(new EfFeedStore(_db, new WriteTurns()), _db, new AuditLog(_db, _time), Options.Create(_keep), _time);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _db.Dispose();
    }

    private sealed record Note(string Text);

    [Fact]
    public async Task EachKind_IsPurgedPastItsLimit_AndKeptWithinIt()
    {
        var now = _time.GetUtcNow();
        await using (var db = _db.CreateDbContext())
        {
            foreach (var (age, name) in new[] { (_keep.ExpiredPings + Margin, "old"), (_keep.ExpiredPings - Margin, "kept") })
            {
                db.Pings.Add(new Ping { EventId = EventId, Lat = 51.5, Lng = -0.1, DeviceId = name, RecordedAt = now - age - TimeSpan.FromMinutes(5), ExpiresAt = now - age });
            }
            foreach (var (age, camera) in new[] { (_keep.CameraReadings + Margin, "old"), (_keep.CameraReadings - Margin, "kept") })
            {
                db.CameraCounts.Add(new CameraCount { EventId = EventId, ZoneId = "gate", CameraId = camera, Count = 10, CapturedAt = now - age, ReceivedAt = now - age });
            }
            foreach (var (age, camera) in new[] { (_keep.HourlyCounts + TimeSpan.FromHours(1), "old"), (_keep.HourlyCounts - TimeSpan.FromHours(1), "kept") })
            {
                db.HourlyCounts.Add(new HourlyCount { EventId = EventId, ZoneId = "gate", CameraId = camera, HourStart = now - age, Sum = 10, Readings = 1 });
            }
            foreach (var (age, target) in new[] { (_keep.Audit + Margin, "old"), (_keep.Audit - Margin, "kept") })
            {
                db.Audit.Add(new AuditEntry { At = now - age, Actor = "system", Action = "test", Target = target, Details = "" });
            }
            await db.SaveChangesAsync();
        }

        var purged = await _retention.PurgeAsync();

        Assert.Equal(new Purged(Feed: 0, Pings: 1, CameraReadings: 1, HourlyCounts: 1, Audit: 1), purged);
        await using var check = _db.CreateDbContext();
        Assert.Equal(["kept"], await check.Pings.Select(p => p.DeviceId!).ToListAsync());
        Assert.Equal(["kept"], await check.CameraCounts.Select(c => c.CameraId).ToListAsync());
        Assert.Equal(["kept"], await check.HourlyCounts.Select(h => h.CameraId).ToListAsync());
        Assert.Equal(["kept"], await check.Audit.Select(a => a.Target).ToListAsync());
    }

    [Fact]
    public async Task TheFeed_KeepsItsWindow_AndSeqContinuesAfterAPurge()
    {
        await _bus.PublishAsync(EventId, MessageTypes.ReportNew, new Note("1"));
        await _bus.PublishAsync(EventId, MessageTypes.ReportNew, new Note("2"));
        _time.Advance(_keep.Feed - Margin);
        await _bus.PublishAsync(EventId, MessageTypes.ReportNew, new Note("3"));
        _time.Advance(Margin * 2);

        var purged = await _retention.PurgeAsync();
        var next = await _bus.PublishAsync(EventId, MessageTypes.ReportNew, new Note("4"));

        Assert.Equal(2, purged.Feed);
        Assert.Equal(4, next.Seq);
        Assert.Equal([3L, 4L], (await new EfFeedStore(_db, new WriteTurns()).ReadAsync(EventId, 0, 10, CancellationToken.None)).Select(e => e.Seq));
    }
}
