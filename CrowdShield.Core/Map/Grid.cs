namespace CrowdShield.Core.Map;

/// <summary>A square grid of <c>cellSizeM</c>-metre cells anchored at the venue centre.</summary>
public sealed class Grid(GeoPoint origin, double cellSizeM)
{
    private const double MetresPerDegreeLat = 110_574;
    private readonly double _metresPerDegreeLng = 111_320 * Math.Cos(origin.Lat * Math.PI / 180);

    public (int X, int Y) CellOf(double lat, double lng) =>
        ((int)Math.Floor((lng - origin.Lng) * _metresPerDegreeLng / cellSizeM),
         (int)Math.Floor((lat - origin.Lat) * MetresPerDegreeLat / cellSizeM));

    public (double Lat, double Lng) CentreOf((int X, int Y) cell) =>
        (origin.Lat + (cell.Y + 0.5) * cellSizeM / MetresPerDegreeLat,
         origin.Lng + (cell.X + 0.5) * cellSizeM / _metresPerDegreeLng);
}
