namespace CrowdShield.Core.Map;

/// <summary>Configuration section "Map".</summary>
public sealed class MapOptions
{
    /// <summary>Edge of a density-grid cell in metres.</summary>
    public double CellSizeM { get; set; } = 25;

    /// <summary>A camera count older than this no longer counts toward a zone's live occupancy.</summary>
    public TimeSpan CameraFreshness { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Upper bound on live pings kept per event; past it the oldest are dropped from the live map (never from the database).</summary>
    public int MaxLivePingsPerEvent { get; set; } = 200_000;

    public DensityBands Bands { get; set; } = new();
}
