using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>The alert state machine with a fake clock: raise, dedup, escalate, hysteresis, camera silence, backfill.</summary>
public sealed class AlertEngineTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly List<RealtimeMessage> _sent = [];
    private readonly AlertOptions _options = new();
    private MessageBus _hub = default!;
    private AlertService _alerts = default!;
    private ZoneDefinition _gate = default!;
    private ZoneDefinition _pit = default!;

    public async Task InitializeAsync()
    {
        await _db.AddEventAsync(EventId, _time.GetUtcNow(),
            new Zone { Id = "gate", EventId = EventId, Name = "Gate 3", AlertThreshold = 100 },
            new Zone { Id = "pit", EventId = EventId, Name = "Front pit", AlertThreshold = 10_000, AreaM2 = 100 });
        var definition = (await CoreParts.Events(_db).FindAsync(EventId))!;
        (_gate, _pit) = (definition.FindZone("gate")!, definition.FindZone("pit")!);
        _hub = CoreParts.Bus(_db, _time);
        _hub.Subscribe(EventId, m => { lock (_sent) { _sent.Add(m); } return Task.CompletedTask; });
        _alerts = CoreParts.Alerts(_db, _hub, _time, _options);
    }

    public async Task DisposeAsync()
    {
        await _hub.DisposeAsync();
        _db.Dispose();
    }

    private Task<Alert?> Reading(int count) =>
        _alerts.EvaluateZoneAsync(EventId, _gate, count, new ZoneDensity("gate", count, null, DensityBands.Low), _time.GetUtcNow());

    private async Task<List<Alert>> AlertsAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.Alerts.AsNoTracking().OrderBy(a => a.CreatedAt).ToListAsync();
    }

    private async Task<List<string>> SentAsync(int expected)
    {
        await Eventually.TrueAsync(() => { lock (_sent) { return _sent.Count >= expected; } });
        lock (_sent)
        {
            return [.. _sent.Select(m => m.Type)];
        }
    }

    [Fact]
    public async Task OverThreshold_RaisesOneWarning_AndRepeatsDoNotSpam()
    {
        var first = await Reading(120);
        _time.Advance(TimeSpan.FromSeconds(5));
        var second = await Reading(130);

        Assert.Equal(first!.Id, second!.Id);
        Assert.Equal(AlertSeverity.Warning, Assert.Single(await AlertsAsync()).Severity);
        Assert.Equal([MessageTypes.AlertNew], await SentAsync(1));
    }

    [Fact]
    public async Task WorseReading_EscalatesTheOpenAlert()
    {
        await Reading(120);
        await Reading(160);

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(AlertSeverity.Critical, alert.Severity);
        Assert.Contains("160", alert.Message);
        Assert.Equal([MessageTypes.AlertNew, MessageTypes.AlertUpdated], await SentAsync(2));
    }

    [Fact]
    public async Task Recovery_NeedsReadingsBelowTheLowerBound_ForTheWholeHold()
    {
        await Reading(120);
        await Reading(70);                      // below 80 % of 100: the hold starts
        _time.Advance(TimeSpan.FromSeconds(90));
        await Reading(95);                      // between bound and threshold: the hold starts again
        _time.Advance(TimeSpan.FromSeconds(60));
        await Reading(70);
        _time.Advance(TimeSpan.FromSeconds(90));
        var stillOpen = await Reading(70);       // 90 s below: not yet
        _time.Advance(TimeSpan.FromSeconds(31));
        var after = await Reading(70);           // 121 s below: recovered

        Assert.NotNull(stillOpen);
        Assert.Null(after);
        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal(AlertService.System, alert.ResolvedBy);
        Assert.NotNull(alert.RecoveredAt);
        Assert.Equal([MessageTypes.AlertNew, MessageTypes.AlertUpdated], await SentAsync(2));
    }

    [Fact]
    public async Task WithoutAutoResolve_ARecoveredAlertStaysForTheOperator_AndReopensIfTheCrowdReturns()
    {
        _options.AutoResolve = false;
        await Reading(120);
        await Reading(50);
        _time.Advance(TimeSpan.FromMinutes(3));
        await Reading(50);
        var recovered = Assert.Single(await AlertsAsync());

        await Reading(125);

        Assert.Equal(AlertStatus.Open, recovered.Status);
        Assert.NotNull(recovered.RecoveredAt);
        var back = Assert.Single(await AlertsAsync());
        Assert.Null(back.RecoveredAt);
        Assert.Equal([MessageTypes.AlertNew, MessageTypes.AlertUpdated, MessageTypes.AlertUpdated], await SentAsync(3));
    }

    [Fact]
    public async Task BackfilledReading_FromThePast_RaisesNothing()
    {
        var alert = await _alerts.EvaluateZoneAsync(EventId, _gate, 500, new ZoneDensity("gate", 500, null, DensityBands.Critical), _time.GetUtcNow().AddHours(-2));

        Assert.Null(alert);
        Assert.Empty(await AlertsAsync());
    }

    [Fact]
    public async Task DangerousDensity_RaisesADensityAlert_BesideTheCountAlert()
    {
        // 480 people on 100 m²: 4.8 persons/m², critical, though far under the pit's count threshold.
        await _alerts.EvaluateZoneAsync(EventId, _pit, 480, new ZoneDensity("pit", 480, 4.8, DensityBands.Critical), _time.GetUtcNow());

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal((AlertTypes.Density, AlertSeverity.Critical), (alert.Type, alert.Severity));
        Assert.Contains("4.8 persons/m²", alert.Message);
    }

    [Fact]
    public async Task SilentCamera_RaisesItsOwnAlert_AndReportingAgainRecoversIt()
    {
        var watch = new CameraWatch(_db, CoreParts.Events(_db), _alerts, Options.Create(_options), CoreParts.Metrics(), _time);
        await using (var db = _db.CreateDbContext())
        {
            for (var i = 0; i < 10; i++)
            {
                var at = _time.GetUtcNow().AddSeconds(i * 10);
                db.CameraCounts.Add(new CameraCount { EventId = EventId, ZoneId = "gate", CameraId = "cam-7", Count = 20, CapturedAt = at, ReceivedAt = at });
            }
            await db.SaveChangesAsync();
        }
        // The last report came 90 s after the first; 100 s later it is late but not yet silent (2 min).
        _time.Advance(TimeSpan.FromSeconds(190));
        await watch.CheckAsync((_, _) => ValueTask.FromResult(true), CancellationToken.None);
        Assert.Empty(await AlertsAsync());

        _time.Advance(TimeSpan.FromMinutes(1));
        await watch.CheckAsync((_, _) => ValueTask.FromResult(true), CancellationToken.None);
        await watch.CheckAsync((_, _) => ValueTask.FromResult(true), CancellationToken.None);
        var silent = Assert.Single(await AlertsAsync());
        await _alerts.CameraReportedAsync(EventId, "gate", "cam-7");

        Assert.Equal((AlertTypes.CameraOffline, "cam-7"), (silent.Type, silent.CameraId));
        Assert.Contains("cam-7", silent.Message);
        Assert.Equal(AlertStatus.Resolved, Assert.Single(await AlertsAsync()).Status);
    }

    [Fact]
    public async Task HourlyCounter_IsNeverSilentBetweenItsReports()
    {
        var watch = new CameraWatch(_db, CoreParts.Events(_db), _alerts, Options.Create(_options), CoreParts.Metrics(), _time);
        await using (var db = _db.CreateDbContext())
        {
            for (var i = 0; i < 3; i++)
            {
                var at = _time.GetUtcNow().AddMinutes(-50 + i * 20);
                db.CameraCounts.Add(new CameraCount { EventId = EventId, ZoneId = "gate", CameraId = "counter", Count = 300, CapturedAt = at, ReceivedAt = at });
            }
            await db.SaveChangesAsync();
        }
        _time.Advance(TimeSpan.FromMinutes(15));

        await watch.CheckAsync((_, _) => ValueTask.FromResult(true), CancellationToken.None);

        Assert.Empty(await AlertsAsync());
    }
}
