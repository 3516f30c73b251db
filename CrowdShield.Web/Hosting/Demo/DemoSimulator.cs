using System.Globalization;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Core.Reports;
using CrowdShield.Core.Users;
using CrowdShield.Web.Auth;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting.Demo;

/// <summary>
/// Drives the demo venue through the same services a real camera, phone or steward uses: arrival waves in
/// every zone, a surge that crosses one zone's threshold every few minutes and recedes, phones drifting toward
/// busy zones, and now and then a field report.
/// </summary>
internal sealed class DemoSimulator(
    CameraIngest cameras, CrossingIngest crossings, WorkLeases leases, PingIngest pings, ReportService reports, IDbContextFactory<CrowdShieldDb> dbFactory,
    IOptions<DemoOptions> options, TimeProvider time, ILogger<DemoSimulator> logger) : BackgroundService
{
    private static readonly (string Type, string Message)[] ReportTemplates =
    [
        ("medical", "Person feeling faint near {0}, first aid on the way"),
        ("lost_person", "Lost child (about 7, red jacket) at {0}"),
        ("security", "Scuffle in the queue at {0}, two stewards attending"),
        ("overcrowding", "Crowd pushing forward at {0}, please advise"),
        ("other", "Spilled drinks making the ground slippery at {0}"),
        ("other", "Barrier loose at {0}, maintenance called"),
    ];

    private readonly Random _random = new(7);
    private readonly List<Phone> _phones = [];
    private TimeSpan _nextReport;
    private Caller? _device;
    private readonly List<Caller> _stewards = [];
    private readonly Dictionary<string, int> _occupancy = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var field = await DemoUserAsync(Roles.Field, stoppingToken);
        // The simulated phones send as the demo's device account, as a counting app on real phones would.
        _device = await DemoUserAsync(Roles.Device, stoppingToken);
        foreach (var (email, _) in DemoUsers.Stewards)
        {
            if (await UserAsync(email, stoppingToken) is { } steward)
            {
                _stewards.Add(steward);
            }
        }
        var start = time.GetUtcNow();
        for (var i = 0; i < options.Value.Phones; i++)
        {
            var zone = DemoVenue.Zones[_random.Next(DemoVenue.Zones.Count)];
            var (x, y) = DemoVenue.Middle(zone);
            _phones.Add(new Phone($"demo-phone-{i}", x + _random.Next(-20, 20), y + _random.Next(-15, 15), zone));
        }
        _nextReport = options.Value.ReportEvery / 3;
        using var timer = new PeriodicTimer(options.Value.Tick, time);
        do
        {
            try
            {
                // One simulator for the cluster: the node holding the demo's lease drives it.
                if (await leases.EnsureAsync(WorkLeases.Demo, stoppingToken))
                {
                    await TickAsync(time.GetUtcNow() - start, field, stoppingToken);
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Demo simulator tick failed");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task TickAsync(TimeSpan elapsed, Caller? field, CancellationToken cancellationToken)
    {
        foreach (var zone in DemoVenue.Zones)
        {
            var count = Count(zone, elapsed);
            if (DemoVenue.Counted(zone))
            {
                // A gate's counter sees people pass both ways; the zone's occupancy moves toward the wave's count.
                var occupancy = _occupancy.GetValueOrDefault(zone.Id);
                var through = _random.Next(5, 25);
                var entered = Math.Max(0, count - occupancy) + through;
                var left = Math.Max(0, occupancy - count) + through;
                var result = await crossings.IngestAsync(new CrossingRequest(DemoVenue.EventId, zone.CounterId, zone.Id, entered, left, null), cancellationToken);
                _occupancy[zone.Id] = result?.Occupancy ?? occupancy;
            }
            else
            {
                await cameras.IngestAsync(new CameraCountRequest(DemoVenue.EventId, zone.CameraId, zone.Id, count, null, null), cancellationToken);
            }
        }
        var surge = SurgeZone(elapsed);
        foreach (var phone in _phones)
        {
            // Drift toward the phone's destination; some head for the surging zone, the rest wander.
            if (_random.NextDouble() < 0.02)
            {
                phone.Target = _random.NextDouble() < 0.4 ? surge : DemoVenue.Zones[_random.Next(DemoVenue.Zones.Count)];
            }
            var (tx, ty) = DemoVenue.Middle(phone.Target);
            phone.X += Math.Clamp(tx - phone.X, -6, 6) + _random.NextDouble() * 4 - 2;
            phone.Y += Math.Clamp(ty - phone.Y, -6, 6) + _random.NextDouble() * 4 - 2;
        }
        var now = time.GetUtcNow();
        // Stewards walk their beats: each pings from around a zone of its own, as a tablet sharing its location would.
        for (var i = 0; i < _stewards.Count; i++)
        {
            var beat = DemoVenue.Zones[(i * 3 + (int)(elapsed.TotalMinutes / 3)) % DemoVenue.Zones.Count];
            var (bx, by) = DemoVenue.Middle(beat);
            var at = DemoVenue.ToGeo(bx + _random.Next(-30, 30), by + _random.Next(-20, 20));
            await pings.IngestAsync(DemoVenue.EventId, _stewards[i], [new PingInput(at.Lat, at.Lng, 6, "tablet", now)], cancellationToken);
        }
        await pings.IngestAsync(DemoVenue.EventId, _device, [.. _phones.Select(p =>
        {
            var at = DemoVenue.ToGeo(p.X, p.Y);
            return new PingInput(at.Lat, at.Lng, 8 + _random.Next(20), p.DeviceId, now);
        })], cancellationToken);
        if (field is not null && elapsed >= _nextReport)
        {
            _nextReport = elapsed + options.Value.ReportEvery * (0.5 + _random.NextDouble());
            var (type, template) = ReportTemplates[_random.Next(ReportTemplates.Length)];
            var zone = _random.NextDouble() < 0.5 ? surge : DemoVenue.Zones[_random.Next(DemoVenue.Zones.Count)];
            var (x, y) = DemoVenue.Middle(zone);
            var at = DemoVenue.ToGeo(x, y);
            await reports.CreateAsync(new ReportRequest(DemoVenue.EventId, string.Format(CultureInfo.InvariantCulture, template, zone.Name), type, at.Lat, at.Lng, zone.Id), field, cancellationToken);
        }
    }

    private DemoZone SurgeZone(TimeSpan elapsed) => DemoVenue.SurgeZone(elapsed, options.Value.SurgeCycle);

    private int Count(DemoZone zone, TimeSpan elapsed) => DemoVenue.Crowd(zone, elapsed, options.Value.SurgeCycle, _random.NextDouble());

    private Task<Caller?> DemoUserAsync(string role, CancellationToken cancellationToken) =>
        UserAsync(DemoUsers.All.First(u => u.Role == role).Email, cancellationToken);

    private async Task<Caller?> UserAsync(string address, CancellationToken cancellationToken)
    {
        var email = User.Normalize(address);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.NormalizedEmail == email, cancellationToken);
        return user is null ? null : UserDirectory.ToCaller(user);
    }

    private sealed class Phone(string deviceId, double x, double y, DemoZone target)
    {
        public string DeviceId { get; } = deviceId;
        public double X { get; set; } = x;
        public double Y { get; set; } = y;
        public DemoZone Target { get; set; } = target;
    }
}
