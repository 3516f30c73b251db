using CrowdShield.Core.Events;

namespace CrowdShield.Core.Map;

public static class Occupancy
{
    /// <summary>Persons per m² and level of a zone holding <paramref name="people"/>.</summary>
    public static ZoneDensity Of(VenueZone zone, int people, DensityBands bands)
    {
        if (zone.AreaM2 is > 0 and var area)
        {
            var density = Math.Round(people / area, 3);
            return new ZoneDensity(zone.Id, people, density, bands.LevelOf(density));
        }
        return new ZoneDensity(zone.Id, people, null, DensityBands.LevelOfLoad((double)people / Math.Max(1, zone.AlertThreshold)));
    }
}
