using System.Collections.Concurrent;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Events;

/// <summary>An event and its zones as the hot paths need them: read once from the database, then from memory.</summary>
public sealed record Venue(string Id, string Name, GeoPoint Center, IReadOnlyList<VenueZone> Zones)
{
    public VenueZone? FindZone(string zoneId) => Zones.FirstOrDefault(z => z.Id == zoneId);
}

public sealed record VenueZone(string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold);

/// <summary>
/// Caches venues, which change only when an admin edits an event. Single-node cache; with several nodes an
/// edit must also be announced on the backplane (see docs/architecture.md).
/// </summary>
public sealed class VenueDirectory(IDbContextFactory<CrowdShieldDb> dbFactory)
{
    private readonly ConcurrentDictionary<string, Venue> _venues = new(StringComparer.Ordinal);

    public async ValueTask<Venue?> FindAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (_venues.TryGetValue(eventId, out var venue))
        {
            return venue;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.AsNoTracking().Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return null;
        }
        venue = ToVenue(entity);
        _venues[eventId] = venue;
        return venue;
    }

    public void Invalidate(string eventId) => _venues.TryRemove(eventId, out _);

    public static Venue ToVenue(Event e) => new(
        e.Id, e.Name, new GeoPoint(e.CenterLat, e.CenterLng),
        [.. e.Zones.Select(z => new VenueZone(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold))]);
}
