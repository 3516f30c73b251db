using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Data;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>
/// Forecast alerts end to end in Core with a fake clock: camera readings go in through the ingest as devices send
/// them, the forecaster's trend decides, and <see cref="ForecastWatch"/> opens, closes or hands over the alert.
/// </summary>
public sealed class ForecastAlertTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private const int Threshold = 100;
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly List<RealtimeMessage> _sent = [];
    private MessageBus _bus = default!;
    private CameraIngest _cameras = default!;
    private ForecastWatch _watch = default!;

    public async Task InitializeAsync()
    {
        await _db.AddEventAsync(EventId, _time.GetUtcNow(), new Zone { Id = "gate", EventId = EventId, Name = "Gate 3", AlertThreshold = Threshold });
        _bus = CoreParts.Bus(_db, _time);
        _bus.Subscribe(EventId, m => { lock (_sent) { _sent.Add(m); } return Task.CompletedTask; });
        var events = CoreParts.Events(_db);
        var map = CoreParts.Map(_db, _time);
        var alertOptions = Options.Create(new AlertOptions());
        var alerts = CoreParts.Alerts(_db, _bus, _time);
        _cameras = new CameraIngest(_db, events, map, alerts, new WriteTurns(), _time);
        var forecaster = new Forecaster(map, events, new ZoneHistory(_db), Options.Create(new MapOptions()), _time);
        _watch = new ForecastWatch(forecaster, events, alerts, alertOptions);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _db.Dispose();
    }

    /// <summary>One reading every 30 s for <paramref name="minutes"/>, from <paramref name="from"/> to <paramref name="to"/> in a straight line, the watch running after each.</summary>
    private async Task RampAsync(double from, double to, int minutes)
    {
        var steps = minutes * 2;
        for (var i = 1; i <= steps; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(30));
            var count = (int)Math.Round(from + (to - from) * i / steps);
            await _cameras.IngestAsync(new CameraCountRequest(EventId, "cam-1", "gate", count, null, null));
            await _watch.CheckAsync(EventId);
        }
    }

    private async Task<List<Alert>> AlertsAsync()
    {
        await using var db = _db.CreateDbContext();
        return await db.Alerts.AsNoTracking().OrderBy(a => a.CreatedAt).ToListAsync();
    }

    private List<RealtimeMessage> Sent()
    {
        lock (_sent)
        {
            return [.. _sent];
        }
    }

    [Fact]
    public async Task ARisingZone_GetsAForecastAlert_BeforeItPassesTheThreshold_WithWhenAndHowSure()
    {
        // 20 → 70 over ten minutes: 5 a minute, so 100 is some six minutes away.
        await RampAsync(20, 70, 10);

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(AlertTypes.Forecast, alert.Type);
        Assert.Equal(AlertStatus.Open, alert.Status);
        Assert.Equal(AlertSeverity.Warning, alert.Severity);
        var lead = alert.ExpectedAt!.Value - _time.GetUtcNow();
        Assert.InRange(lead, TimeSpan.FromMinutes(3), TimeSpan.FromMinutes(10));
        Assert.InRange(alert.ForecastCount!.Value, Threshold, Threshold + 10);
        Assert.True(alert.ForecastLow <= alert.ForecastCount && alert.ForecastCount <= alert.ForecastHigh);
        Assert.True(alert.ForecastHigh > alert.ForecastLow, "a forecast alert states its uncertainty");
        // Opened while the zone was still well below its threshold.
        Assert.True(alert.CreatedAt < _time.GetUtcNow());

        await Eventually.TrueAsync(() => Sent().Any(m => m.Type == MessageTypes.AlertNew));
        var announced = Sent().First(m => m.Type == MessageTypes.AlertNew);
        var payload = announced.Read<AlertNewPayload>();
        Assert.Equal(AlertTypes.Forecast, payload.Type);
        Assert.NotNull(payload.ExpectedAt);
        Assert.NotNull(payload.Forecast);
    }

    [Fact]
    public async Task AForecastThatRecedes_ClosesItsAlertByItself()
    {
        await RampAsync(20, 70, 10);
        Assert.Equal(AlertTypes.Forecast, Assert.Single(await AlertsAsync()).Type);

        // The inflow stops and the crowd thins out: the forecast no longer reaches the threshold.
        await RampAsync(70, 40, 10);
        await RampAsync(40, 40, 10);

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(AlertStatus.Resolved, alert.Status);
        Assert.Equal(AlertService.System, alert.ResolvedBy);
        Assert.Contains(Sent(), m => m.Type == MessageTypes.AlertUpdated);
    }

    [Fact]
    public async Task WhenTheForecastComesTrue_TheSameAlertBecomesTheLiveOne()
    {
        await RampAsync(20, 70, 10);
        var forecast = Assert.Single(await AlertsAsync());

        await RampAsync(70, 120, 8);

        var alert = Assert.Single(await AlertsAsync());
        Assert.Equal(forecast.Id, alert.Id);
        Assert.Equal(AlertTypes.Overcrowding, alert.Type);
        Assert.Equal(AlertStatus.Open, alert.Status);
        // Its history stays: when it was first foreseen.
        Assert.Equal(forecast.CreatedAt, alert.CreatedAt);
        await Eventually.TrueAsync(() => Sent().Any(m => m.Type == MessageTypes.AlertUpdated
            && m.Read<AlertUpdatedPayload>() is { Type: AlertTypes.Overcrowding } p && p.Id == forecast.Id));
        Assert.Single(Sent(), m => m.Type == MessageTypes.AlertNew);
    }

    [Fact]
    public async Task ASteadyZone_GetsNoForecastAlert()
    {
        await RampAsync(60, 62, 20);

        Assert.Empty(await AlertsAsync());
    }

    [Fact]
    public async Task Backfill_Alone_NeverOpensAForecastAlert()
    {
        // A counter uploading the last hour at once: readings with past capture times, a steep rise, but nothing live.
        var start = _time.GetUtcNow();
        _time.Advance(TimeSpan.FromHours(2));
        for (var minute = 0; minute < 60; minute++)
        {
            await _cameras.IngestAsync(new CameraCountRequest(EventId, "cam-1", "gate", 20 + minute, null, start.AddMinutes(minute)));
        }
        await _watch.CheckAsync(EventId);

        Assert.DoesNotContain(await AlertsAsync(), a => a.Type == AlertTypes.Forecast);
    }
}
