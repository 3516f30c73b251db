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

    /// <summary>
    /// Most points one map:update carries. Every ping is stored and counted in the grid and zones; past this many
    /// new positions in one second the rest are left out of the update (its droppedPoints says how many) so that a
    /// flood of pings cannot build messages no screen could render. The map snapshot still has them all.
    /// </summary>
    public int MaxPointsPerUpdate { get; set; } = 10_000;

    /// <summary>The density bands (persons/m²) of every venue, unless it has its own in <see cref="BandsByEvent"/>.</summary>
    public DensityBands Bands { get; set; } = new();

    /// <summary>Per-venue bands, by event id: a station concourse and a festival pit are not judged alike.</summary>
    public Dictionary<string, DensityBands> BandsByEvent { get; set; } = [];

    public DensityBands BandsFor(string eventId) => BandsByEvent.TryGetValue(eventId, out var bands) ? bands : Bands;
}
