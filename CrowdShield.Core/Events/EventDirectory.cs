using System.Collections.Concurrent;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Core.Zones;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Events;

/// <summary>An event and its zones as the hot paths need them: read once from the database, then from memory.</summary>
public sealed record EventDefinition(string Id, string Name, GeoPoint Center, IReadOnlyList<ZoneDefinition> Zones, string TimeZoneId = "UTC", int? Capacity = null)
{
    private ZoneGeometry.Index? _index;
    private TimeZoneInfo? _timeZone;

    public ZoneDefinition? FindZone(string zoneId) => Zones.FirstOrDefault(z => z.Id == zoneId);

    /// <summary>The zones' spatial index, built on first use (a definition is immutable, so it never goes stale).</summary>
    public ZoneGeometry.Index ZoneIndex => _index ??= new ZoneGeometry.Index(Zones);

    /// <summary>Every zone that holds the point: a ping in a pit inside an arena is in both.</summary>
    public IEnumerable<ZoneDefinition> ZonesAt(double lat, double lng) => ZoneIndex.ZonesAt(lat, lng).Select(i => Zones[i]);

    /// <summary>The venue's clock.</summary>
    public TimeZoneInfo TimeZone => _timeZone ??= TimeZones.Find(TimeZoneId) ?? TimeZoneInfo.Utc;

    /// <summary>A moment on the venue's clock.</summary>
    public DateTimeOffset VenueTime(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, TimeZone);
}

public sealed record ZoneDefinition(
    string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold, double? GateWidthM = null);

/// <summary>IANA time zones, as the venue sets them.</summary>
public static class TimeZones
{
    /// <returns>Null when <paramref name="id"/> is not a time zone this machine knows.</returns>
    public static TimeZoneInfo? Find(string? id)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            return null;
        }
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception ex) when (ex is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return null;
        }
    }
}

/// <summary>
/// Caches events, which change only when an admin edits one. An edit on any node drops the entry on every node
/// (<see cref="CacheInvalidation"/>), so the next use reads it again.
/// </summary>
public sealed class EventDirectory
{
    public const string CacheKind = "event";

    private readonly IDbContextFactory<CrowdShieldDb> _dbFactory;
    private readonly CacheInvalidation _invalidation;
    private readonly ConcurrentDictionary<string, EventDefinition> _definitions = new(StringComparer.Ordinal);
    // Bumped by every invalidation: a read that raced with one is returned but not cached, so it cannot outlive the change.
    private long _generation;

    public EventDirectory(IDbContextFactory<CrowdShieldDb> dbFactory, CacheInvalidation invalidation)
    {
        _dbFactory = dbFactory;
        _invalidation = invalidation;
        invalidation.Subscribe(CacheKind, eventId =>
        {
            Interlocked.Increment(ref _generation);
            _definitions.TryRemove(eventId, out _);
        });
        invalidation.SubscribeReset(() =>
        {
            Interlocked.Increment(ref _generation);
            _definitions.Clear();
        });
    }

    public async ValueTask<EventDefinition?> FindAsync(string eventId, CancellationToken cancellationToken = default)
    {
        if (_definitions.TryGetValue(eventId, out var definition))
        {
            return definition;
        }
        var generation = Interlocked.Read(ref _generation);
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var entity = await db.Events.AsNoTracking().Include(e => e.Zones).FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
        if (entity is null)
        {
            return null;
        }
        definition = ToDefinition(entity);
        if (Interlocked.Read(ref _generation) == generation)
        {
            _definitions[eventId] = definition;
        }
        return definition;
    }

    /// <summary>The event changed: every node reads it again (and rebuilds what depends on it, like the live map).</summary>
    public void Invalidate(string eventId) => _invalidation.Invalidate(CacheKind, eventId);

    public static EventDefinition ToDefinition(Event e) => new(
        e.Id, e.Name, new GeoPoint(e.CenterLat, e.CenterLng),
        [.. e.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(z => new ZoneDefinition(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM))],
        e.TimeZone, e.Capacity);
}
