using CrowdShield.Core.Events;

namespace CrowdShield.Core.Map;

public static class Occupancy
{
    /// <summary>
    /// Persons per m² and level of a zone holding <paramref name="people"/>. The level is the worse of the
    /// density band and the load against the zone's own threshold: a gate whose operators set 30 is not "low"
    /// with 48 people just because its polygon is large.
    /// </summary>
    public static ZoneDensity Of(ZoneDefinition zone, int people, DensityBands bands)
    {
        var byLoad = DensityBands.LevelOfLoad((double)people / Math.Max(1, zone.AlertThreshold));
        if (zone.AreaM2 is > 0 and var area)
        {
            var density = Math.Round(people / area, 3);
            var byDensity = bands.LevelOf(density);
            return new ZoneDensity(zone.Id, people, density, DensityBands.Rank(byDensity) >= DensityBands.Rank(byLoad) ? byDensity : byLoad);
        }
        return new ZoneDensity(zone.Id, people, null, byLoad);
    }
}
