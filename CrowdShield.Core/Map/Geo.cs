namespace CrowdShield.Core.Map;

/// <summary>Small-area geometry on the WGS-84 sphere: good to well under 1% for venue-sized polygons.</summary>
public static class Geo
{
    private const double EarthRadiusM = 6_371_008.8;

    /// <summary>Area in m² of a simple polygon, by the shoelace formula on a local equirectangular projection.</summary>
    public static double AreaM2(IReadOnlyList<GeoPoint> polygon)
    {
        if (polygon.Count < 3)
        {
            return 0;
        }
        var lat0 = polygon.Average(p => p.Lat) * Math.PI / 180;
        var sum = 0.0;
        for (int i = 0, j = polygon.Count - 1; i < polygon.Count; j = i++)
        {
            var (xi, yi) = Project(polygon[i], lat0);
            var (xj, yj) = Project(polygon[j], lat0);
            sum += xj * yi - xi * yj;
        }
        return Math.Abs(sum) / 2;
    }

    private static (double X, double Y) Project(GeoPoint p, double lat0) =>
        (EarthRadiusM * p.Lng * Math.PI / 180 * Math.Cos(lat0), EarthRadiusM * p.Lat * Math.PI / 180);
}
