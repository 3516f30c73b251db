using CrowdShield.Core.Map;
using NetTopologySuite.Geometries;
using NetTopologySuite.Geometries.Prepared;
using NetTopologySuite.Index.Strtree;
using NetTopologySuite.Operation.Valid;

namespace CrowdShield.Core.Zones;

/// <summary>
/// Zone outlines as NetTopologySuite polygons (x = longitude, y = latitude): validated on every write, and indexed
/// so that finding the zones of a ping stays fast with hundreds of zones.
/// </summary>
public static class ZoneGeometry
{
    private static readonly GeometryFactory Factory = new(new PrecisionModel(), 4326);

    /// <summary>Why these points are no zone outline (to go after the field name in a 400), or null when they are one.</summary>
    public static string? Problem(IReadOnlyList<GeoPoint> points)
    {
        var ring = Open(points);
        if (ring.Count < 3)
        {
            return "must have at least 3 points";
        }
        if (ring.Distinct().Count() != ring.Count)
        {
            return "repeats a point: each corner must appear once (the ring is closed for you)";
        }
        var polygon = ToPolygon(ring);
        if (!polygon.Shell.IsSimple)
        {
            return "crosses itself: draw the outline without crossing lines";
        }
        if (!polygon.IsValid)
        {
            return $"is not a valid outline ({new IsValidOp(polygon).ValidationError?.Message ?? "invalid"})";
        }
        if (polygon.Area <= 0)
        {
            return "encloses no area: its points are on one line";
        }
        return null;
    }

    /// <summary>The ring without a repeated closing point.</summary>
    public static IReadOnlyList<GeoPoint> Open(IReadOnlyList<GeoPoint> points) =>
        points.Count > 1 && points[0] == points[^1] ? [.. points.Take(points.Count - 1)] : points;

    public static Polygon ToPolygon(IReadOnlyList<GeoPoint> points)
    {
        var ring = Open(points);
        var coordinates = ring.Select(p => new Coordinate(p.Lng, p.Lat)).Append(new Coordinate(ring[0].Lng, ring[0].Lat)).ToArray();
        return Factory.CreatePolygon(coordinates);
    }

    public static Point ToPoint(double lat, double lng) => Factory.CreatePoint(new Coordinate(lng, lat));

    /// <summary>The zones of one event for lookups: which zones hold a point, and which zones lie inside no other.</summary>
    public sealed class Index
    {
        private readonly STRtree<int> _tree = new();
        private readonly IPreparedGeometry?[] _shapes;
        private readonly Polygon?[] _polygons;

        public Index(IReadOnlyList<Events.ZoneDefinition> zones)
        {
            _shapes = new IPreparedGeometry?[zones.Count];
            var polygons = new Polygon?[zones.Count];
            for (var i = 0; i < zones.Count; i++)
            {
                if (zones[i].Polygon.Count >= 3 && Problem(zones[i].Polygon) is null)
                {
                    polygons[i] = ToPolygon(zones[i].Polygon);
                    _shapes[i] = PreparedGeometryFactory.Prepare(polygons[i]);
                    _tree.Insert(polygons[i]!.EnvelopeInternal, i);
                }
            }
            _tree.Build();
            _polygons = polygons;
            // A zone inside another (a pit in an arena) is counted in both; the venue's total adds only the outer one.
            TopLevel = [.. Enumerable.Range(0, zones.Count).Where(i => polygons[i] is not { } inner
                || !Enumerable.Range(0, zones.Count).Any(j => j != i && _shapes[j] is { } outer && outer.Covers(inner)
                    && !(polygons[j]!.EqualsTopologically(inner) && j > i)))];
        }

        /// <summary>Indexes (into the event's zones) of the zones that are not inside another zone.</summary>
        public IReadOnlyList<int> TopLevel { get; }

        /// <summary>Zones whose outline is within about <paramref name="metres"/> of the point but that do not hold it.</summary>
        public int[] ZonesNear(double lat, double lng, double metres)
        {
            var point = ToPoint(lat, lng);
            var degrees = metres / 111_320.0 / Math.Max(0.2, Math.Cos(lat * Math.PI / 180));
            var area = point.EnvelopeInternal.Copy();
            area.ExpandBy(degrees);
            var near = new List<int>();
            foreach (var i in _tree.Query(area))
            {
                if (!_shapes[i]!.Covers(point) && _polygons[i]!.Distance(point) <= degrees)
                {
                    near.Add(i);
                }
            }
            near.Sort();
            return [.. near];
        }

        /// <summary>Every zone that holds the point (nested and overlapping zones alike), in zone order.</summary>
        public int[] ZonesAt(double lat, double lng)
        {
            var point = ToPoint(lat, lng);
            var candidates = _tree.Query(point.EnvelopeInternal);
            if (candidates.Count == 0)
            {
                return [];
            }
            var hits = new List<int>(candidates.Count);
            foreach (var i in candidates)
            {
                if (_shapes[i]!.Covers(point))
                {
                    hits.Add(i);
                }
            }
            hits.Sort();
            return [.. hits];
        }
    }
}
