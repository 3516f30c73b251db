using System.Diagnostics;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Zones;

namespace CrowdShield.Benchmarks;

/// <summary>
/// Which zones hold a ping, with many zones: the spatial index (STRtree + prepared polygons) against testing every
/// zone's polygon. 500 zones of 40 × 40 m in a 1 km grid, a quarter of them with a nested zone inside, and pings
/// spread over the whole area; single-threaded, so the figure is pings per second per core.
/// Usage: dotnet CrowdShield.Benchmarks.dll zones [--zones 500] [--pings 1000000] [--runs 3]
/// </summary>
internal static class ZoneLookup
{
    public static int Run(string[] args)
    {
        int Get(string name, int fallback) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? int.Parse(args[i + 1]) : fallback;
        var count = Get("--zones", 500);
        var pings = Get("--pings", 1_000_000);
        var runs = Get("--runs", 3);
        var origin = new GeoPoint(51.5, -0.1);
        var zones = new List<ZoneDefinition>();
        var side = (int)Math.Ceiling(Math.Sqrt(count * 0.8));
        for (var i = 0; zones.Count < count; i++)
        {
            var (x, y) = (i % side * 50.0, i / side * 50.0);
            zones.Add(Zone($"z{i}", origin, x, y, 40));
            if (i % 4 == 0 && zones.Count < count)
            {
                zones.Add(Zone($"z{i}-pit", origin, x + 10, y + 10, 15));
            }
        }
        var random = new Random(42);
        var extent = side * 50.0;
        var points = Enumerable.Range(0, pings).Select(_ => At(origin, random.NextDouble() * extent, random.NextDouble() * extent)).ToArray();
        var index = new ZoneGeometry.Index(zones);
        var polygons = zones.Select(z => ZoneGeometry.ToPolygon(z.Polygon)).ToArray();

        Console.WriteLine($"{zones.Count} zones ({zones.Count(z => z.Id.EndsWith("-pit", StringComparison.Ordinal))} nested), {pings:N0} pings, {runs} runs");
        var indexed = Measure(runs, () =>
        {
            var hits = 0L;
            foreach (var p in points)
            {
                hits += index.ZonesAt(p.Lat, p.Lng).Length;
            }
            return hits;
        }, pings);
        var linear = Measure(runs, () =>
        {
            var hits = 0L;
            foreach (var p in points.Take(pings / 20))
            {
                var point = ZoneGeometry.ToPoint(p.Lat, p.Lng);
                hits += polygons.Count(polygon => polygon.Covers(point));
            }
            return hits * 20;
        }, pings / 20);
        Console.WriteLine();
        Console.WriteLine("| zone lookup, one core | pings/s (median of runs) | runs |");
        Console.WriteLine("|---|---|---|");
        Console.WriteLine($"| spatial index (STRtree, prepared polygons) | {Median(indexed):N0} | {string.Join(", ", indexed.Select(v => v.ToString("N0")))} |");
        Console.WriteLine($"| every zone's polygon tested | {Median(linear):N0} | {string.Join(", ", linear.Select(v => v.ToString("N0")))} |");
        return 0;
    }

    private static List<double> Measure(int runs, Func<long> work, int items)
    {
        work(); // warm-up
        var rates = new List<double>();
        for (var r = 0; r < runs; r++)
        {
            var clock = Stopwatch.StartNew();
            var hits = work();
            rates.Add(items / clock.Elapsed.TotalSeconds);
            GC.KeepAlive(hits);
        }
        return rates;
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    private static GeoPoint At(GeoPoint origin, double eastM, double northM) =>
        new(origin.Lat + northM / 110_574, origin.Lng + eastM / (111_320 * Math.Cos(origin.Lat * Math.PI / 180)));

    private static ZoneDefinition Zone(string id, GeoPoint origin, double x, double y, double size) =>
        new(id, id, [At(origin, x, y), At(origin, x + size, y), At(origin, x + size, y + size), At(origin, x, y + size)], size * size, null, 30);
}
