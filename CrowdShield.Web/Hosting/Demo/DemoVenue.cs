using CrowdShield.Core.Map;

namespace CrowdShield.Web.Hosting.Demo;

/// <summary>
/// The demo venue: a riverside park festival with gates, stages, food and bars, laid out in metres around a
/// centre point. Thresholds are the counts at which each zone's operators want to hear about it.
/// </summary>
public static class DemoVenue
{
    public const string EventId = "demo";
    public const string Name = "Riverside Festival (demo)";
    public const string TimeZone = "Europe/London";
    /// <summary>The licence: people allowed on site at once.</summary>
    public const int LicensedCapacity = 30_000;
    public static readonly GeoPoint Center = new(51.53605, -0.03905);

    /// <summary>
    /// Alert thresholds are set where a zone reaches 2.2 persons/m², just past where free movement ends
    /// (Fruin), so a surge past the threshold also climbs the density levels.
    /// </summary>
    public const double ThresholdDensity = 2.2;

    /// <summary>Zone id, name and corners in metres east/north of the centre.</summary>
    public static readonly IReadOnlyList<DemoZone> Zones =
    [
        new("main-gate", "Main Gate", [(-230, -150), (-190, -150), (-186, -118), (-234, -121)]),
        new("north-gate", "North Gate", [(40, 190), (80, 190), (80, 215), (40, 215)]),
        new("main-stage", "Main Stage", [(-45, 60), (45, 60), (52, 120), (-52, 120)]),
        // Inside the Main Stage: people here count in both.
        new("front-pit", "Front-of-stage pit", [(-25, 96), (25, 96), (28, 117), (-28, 117)]),
        new("second-stage", "Second Stage", [(120, -60), (175, -60), (175, -10), (120, -10)]),
        new("food-court", "Food Court", [(-150, -60), (-90, -60), (-90, -15), (-150, -15)]),
        new("bar-row", "Bar Row", [(-40, -120), (40, -120), (40, -100), (-40, -100)]),
        new("river-walk", "River Walk", [(-250, 150), (-130, 165), (-130, 180), (-250, 166)]),
        new("family-area", "Family Area", [(120, 80), (170, 80), (170, 125), (120, 125)]),
    ];

    public static double AreaM2(DemoZone zone) => Math.Round(Geo.AreaM2(Polygon(zone)), 1);

    public static int Threshold(DemoZone zone) => (int)(Math.Round(AreaM2(zone) * ThresholdDensity / 10) * 10);

    /// <summary>A zone's capacity: 3 persons/m², where a standing crowd is still safe (Green Guide).</summary>
    public static int Capacity(DemoZone zone) => (int)(Math.Round(AreaM2(zone) * 3 / 10) * 10);

    /// <summary>The gates are counted by line-crossing counters, not cameras; their width turns inflow into flow per metre.</summary>
    public static double? GateWidthM(DemoZone zone) => zone.Id switch
    {
        "main-gate" => 12,
        "north-gate" => 8,
        _ => null,
    };

    public static bool Counted(DemoZone zone) => GateWidthM(zone) is not null;

    /// <summary>wwwroot/demo/riverside-plan.svg spans 280 m west to 230 m east and 180 m south to 260 m north of the centre.</summary>
    public static Components.Live.VenuePlan Plan
    {
        get
        {
            var (southWest, northEast) = (ToGeo(-280, -180), ToGeo(230, 260));
            return new() { ImageUrl = "demo/riverside-plan.svg", South = southWest.Lat, West = southWest.Lng, North = northEast.Lat, East = northEast.Lng };
        }
    }

    public static GeoPoint ToGeo(double eastM, double northM) =>
        new(Center.Lat + northM / 110_574, Center.Lng + eastM / (111_320 * Math.Cos(Center.Lat * Math.PI / 180)));

    public static IReadOnlyList<GeoPoint> Polygon(DemoZone zone) => [.. zone.Corners.Select(c => ToGeo(c.EastM, c.NorthM))];

    public static (double EastM, double NorthM) Middle(DemoZone zone) =>
        (zone.Corners.Average(c => c.EastM), zone.Corners.Average(c => c.NorthM));

    /// <summary>The zone a surge is building in during this cycle.</summary>
    public static DemoZone SurgeZone(TimeSpan elapsed, TimeSpan surgeCycle) => Zones[(int)(elapsed / surgeCycle) * 3 % Zones.Count];

    /// <summary>
    /// A zone's crowd at <paramref name="elapsed"/>: arrival waves (20-minute period, each zone in its own phase) plus the
    /// surge of the cycle, with ±3 % noise from <paramref name="noise"/> in [0, 1). The demo's cameras report this, and
    /// the forecast-alert evaluation replays it.
    /// </summary>
    public static int Crowd(DemoZone zone, TimeSpan elapsed, TimeSpan surgeCycle, double noise)
    {
        var threshold = Threshold(zone);
        var phase = Zones.ToList().IndexOf(zone) / (double)Zones.Count;
        var wave = 0.45 + 0.18 * Math.Sin(2 * Math.PI * (elapsed.TotalMinutes / 20 + phase));
        var count = threshold * wave;
        if (SurgeZone(elapsed, surgeCycle) == zone)
        {
            var u = elapsed.TotalSeconds % surgeCycle.TotalSeconds / surgeCycle.TotalSeconds;
            // Every other surge peaks past 1.5 × the threshold, where its alert turns critical.
            var peak = threshold * ((int)(elapsed / surgeCycle) % 2 == 0 ? 1.25 : 1.6);
            // It builds over the first 40 % of the cycle (4 minutes by default), as a crowd at a gate does, so
            // that the trend sees it coming and a forecast alert precedes the live one.
            count = u switch
            {
                < 0.4 => count + (peak - count) * (u / 0.4),
                < 0.5 => peak,
                < 0.65 => peak + (count * 0.5 - peak) * ((u - 0.5) / 0.15),
                _ => count * 0.5,
            };
        }
        return (int)Math.Round(count * (0.97 + 0.06 * noise));
    }
}

public sealed record DemoZone(string Id, string Name, IReadOnlyList<(double EastM, double NorthM)> Corners)
{
    public string CameraId => $"cam-{Id}";
    public string CounterId => $"counter-{Id}";
}

/// <summary>Configuration section "Demo".</summary>
public sealed class DemoOptions
{
    public bool Enabled { get; set; }
    /// <summary>How often the simulator sends camera counts and pings.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromSeconds(5);
    /// <summary>Simulated phones moving around the venue.</summary>
    public int Phones { get; set; } = 250;
    /// <summary>A surge crosses one zone's threshold once per cycle.</summary>
    public TimeSpan SurgeCycle { get; set; } = TimeSpan.FromMinutes(20);
    /// <summary>About how often a steward files a report.</summary>
    public TimeSpan ReportEvery { get; set; } = TimeSpan.FromSeconds(90);
}

/// <summary>The demo accounts, one per role, printed at start and listed in the README.</summary>
public static class DemoUsers
{
    public static readonly IReadOnlyList<(string Email, string Password, string Name, string Role)> All =
    [
        ("operator@demo.crowdshield.local", "Demo-Operator-2026", "Olivia Operator", Core.Users.Roles.Operator),
        ("field@demo.crowdshield.local", "Demo-Field-2026", "Sam Steward", Core.Users.Roles.Field),
        ("viewer@demo.crowdshield.local", "Demo-Viewer-2026", "Wall Display", Core.Users.Roles.Viewer),
        ("device@demo.crowdshield.local", "Demo-Device-2026", "Camera gateway", Core.Users.Roles.Device),
    ];

    /// <summary>Simulated stewards sharing their positions (accounts with random passwords: nobody signs in as them).</summary>
    public static readonly IReadOnlyList<(string Email, string Name)> Stewards =
    [
        ("steward-priya@demo.crowdshield.local", "Priya (steward)"),
        ("steward-tom@demo.crowdshield.local", "Tom (steward)"),
        ("steward-ines@demo.crowdshield.local", "Inès (steward)"),
    ];
}
