using System.Collections.Concurrent;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Events;

/// <summary>An event and its zones as the hot paths need them: read once from the database, then from memory.</summary>
public sealed record EventDefinition(string Id, string Name, GeoPoint Center, IReadOnlyList<ZoneDefinition> Zones)
{
    public ZoneDefinition? FindZone(string zoneId) => Zones.FirstOrDefault(z => z.Id == zoneId);
}

public sealed record ZoneDefinition(string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold);

/// <summary>
/// Caches events, which change only when an admin edits an event. Single-node cache; with several nodes an
/// edit must also be announced on the backplane (see docs/architecture.md).
/// </summary>
public sealed class EventDirectory(IDbContextFactory<CrowdShieldDb> dbFactory)
{
    private readonly ConcurrentDictionary<string, EventDefinition> _definitions = new(StringComparer.Ordinal);

    public async ValueTask<EventDefinition?> FindAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (_definitions.TryGetValue(eventId, out var definition))
        {
            return definition;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.AsNoTracking().Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return null;
        }
        definition = ToDefinition(entity);
        _definitions[eventId] = definition;
        return definition;
    }

    public void Invalidate(string eventId) => _definitions.TryRemove(eventId, out _);

    public static EventDefinition ToDefinition(Event e) => new(
        e.Id, e.Name, new GeoPoint(e.CenterLat, e.CenterLng),
        [.. e.Zones.Select(z => new ZoneDefinition(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold))]);
}
