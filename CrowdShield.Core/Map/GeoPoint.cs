namespace CrowdShield.Core.Map;

/// <summary>A WGS-84 position.</summary>
public readonly record struct GeoPoint(double Lat, double Lng)
{
    public static bool IsValidLat(double lat) => double.IsFinite(lat) && lat is >= -90 and <= 90;
    public static bool IsValidLng(double lng) => double.IsFinite(lng) && lng is >= -180 and <= 180;
}
