using System.Collections.Concurrent;
using System.Threading.Channels;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Map;

/// <summary>
/// The live picture of every event in memory: unexpired pings (one per device: a phone that pings again
/// moves, it does not multiply), the density grid and per-zone occupancy, all updated incrementally.
/// New pings are collected and sent as one <c>map:update</c> per event per flush (the host flushes once a second).
/// State is rebuilt from the database the first time an event is touched after a start.
/// </summary>
public sealed class LiveMap
{
    private readonly IDbContextFactory<CrowdShieldDb> _dbFactory;
    private readonly EventDirectory _events;
    private readonly IOptions<MapOptions> _options;
    private readonly TimeProvider _time;
    private readonly IBackplane _backplane;
    private readonly ILogger<LiveMap> _logger;
    private readonly ConcurrentDictionary<string, Lazy<Task<EventMap>>> _maps = new(StringComparer.Ordinal);
    // What other nodes stored, applied in the order it came.
    private readonly Channel<Func<Task>> _remote = Channel.CreateUnbounded<Func<Task>>(new() { SingleReader = true });

    public LiveMap(
        IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, IOptions<MapOptions> options, TimeProvider time,
        IBackplane backplane, CacheInvalidation invalidation, ILogger<LiveMap> logger)
    {
        _dbFactory = dbFactory;
        _events = events;
        _options = options;
        _time = time;
        _backplane = backplane;
        _logger = logger;
        // Zones changed: the next use rebuilds the event's map with the new zones.
        invalidation.Subscribe(EventDirectory.CacheKind, Invalidate);
        // Pings other nodes stored while the backplane was away never reached this map: rebuild from the database.
        invalidation.SubscribeReset(_maps.Clear);
        backplane.Subscribe(BackplaneChannels.Pings, bytes =>
        {
            var (eventId, pings) = MapEnvelope.DecodePings(bytes);
            _remote.Writer.TryWrite(() => AddLocalAsync(eventId, pings));
        });
        backplane.Subscribe(BackplaneChannels.Cameras, bytes =>
        {
            var (eventId, zoneId, cameraId, count, capturedAt) = MapEnvelope.DecodeCamera(bytes);
            _remote.Writer.TryWrite(() => SetCameraLocalAsync(eventId, zoneId, cameraId, count, capturedAt));
        });
        _ = Task.Run(ApplyRemoteAsync);
    }

    private MapOptions Options => _options.Value;

    /// <summary>
    /// Adds durably stored pings, here and on every other node. Already-expired pings are ignored here: accepted,
    /// never shown.
    /// </summary>
    public async Task AddPingsAsync(string eventId, IReadOnlyList<Ping> pings, CancellationToken cancellationToken = default)
    {
        if (_backplane.IsShared)
        {
            _backplane.Publish(BackplaneChannels.Pings, MapEnvelope.EncodePings(eventId, pings));
        }
        await AddLocalAsync(eventId, pings, cancellationToken);
    }

    private async Task AddLocalAsync(string eventId, IReadOnlyList<Ping> pings, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return;
        }
        lock (map)
        {
            var now = _time.GetUtcNow();
            foreach (var ping in pings)
            {
                if (ping.ExpiresAt > now)
                {
                    map.Add(ping, pending: true);
                }
            }
            map.LastActivity = now;
        }
    }

    /// <summary>Records a camera count so that zone occupancy includes it, here and on every other node.</summary>
    public async Task AddCameraCountAsync(string eventId, string zoneId, string cameraId, int count, DateTimeOffset capturedAt, CancellationToken cancellationToken = default)
    {
        if (_backplane.IsShared)
        {
            _backplane.Publish(BackplaneChannels.Cameras, MapEnvelope.EncodeCamera(eventId, zoneId, cameraId, count, capturedAt));
        }
        await SetCameraLocalAsync(eventId, zoneId, cameraId, count, capturedAt, cancellationToken);
    }

    private async Task SetCameraLocalAsync(string eventId, string zoneId, string cameraId, int count, DateTimeOffset capturedAt, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return;
        }
        lock (map)
        {
            map.SetCamera(zoneId, cameraId, count, capturedAt);
            map.LastActivity = _time.GetUtcNow();
        }
    }

    public async Task<MapSnapshot?> SnapshotAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return null;
        }
        lock (map)
        {
            var now = _time.GetUtcNow();
            map.Expire(now);
            return new MapSnapshot(eventId, map.Points(), map.Cells(), map.Zones(now), now);
        }
    }

    /// <summary>The density grid and zone occupancy without the points: what a screen draws, the size of the venue.</summary>
    public async Task<(IReadOnlyList<DensityCell> Cells, IReadOnlyList<ZoneDensity> Zones)?> DensityAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return null;
        }
        lock (map)
        {
            var now = _time.GetUtcNow();
            map.Expire(now);
            return (map.Cells(), map.Zones(now));
        }
    }

    /// <summary>The current occupancy of each zone of an event.</summary>
    public async Task<IReadOnlyList<ZoneDensity>> ZonesAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return [];
        }
        lock (map)
        {
            var now = _time.GetUtcNow();
            map.Expire(now);
            return map.Zones(now);
        }
    }

    /// <summary>
    /// Publishes one <c>map:update</c> for every event that changed since the last flush and whose map this node
    /// sends (<paramref name="sends"/>: it holds the event's lease). Another node sends the others; what piled up
    /// here for them is dropped, since every node counts every ping.
    /// </summary>
    public async Task FlushAsync(IMessageBus bus, Func<string, CancellationToken, ValueTask<bool>> sends, CancellationToken cancellationToken)
    {
        foreach (var (eventId, lazy) in _maps)
        {
            if (!lazy.IsValueCreated || !lazy.Value.IsCompletedSuccessfully || lazy.Value.Result is not { } map)
            {
                continue;
            }
            bool dirty;
            lock (map)
            {
                dirty = map.Dirty;
            }
            if (!dirty)
            {
                continue;
            }
            var mine = await sends(eventId, cancellationToken);
            MapUpdatePayload? payload = null;
            lock (map)
            {
                if (!mine)
                {
                    map.TakePending();
                    map.TakeSource();
                }
                else if (map.Dirty)
                {
                    var now = _time.GetUtcNow();
                    map.Expire(now);
                    var (points, dropped) = map.TakePending();
                    payload = new MapUpdatePayload(points, map.Cells(), map.Zones(now), now, map.TakeSource()) { DroppedPoints = dropped };
                }
            }
            if (payload is not null)
            {
                await bus.PublishAsync(eventId, MessageTypes.MapUpdate, payload, cancellationToken);
            }
        }
    }

    /// <summary>Events that received pings or camera counts within <paramref name="within"/>: the ones worth assessing.</summary>
    public IReadOnlyList<string> ActiveEvents(TimeSpan within)
    {
        var since = _time.GetUtcNow() - within;
        return [.. _maps.Where(m => m.Value.IsValueCreated && m.Value.Value.IsCompletedSuccessfully && m.Value.Value.Result.LastActivity >= since)
            .Select(m => m.Key)];
    }

    /// <summary>Forgets an event's state so the next use rebuilds it (after its zones changed).</summary>
    public void Invalidate(string eventId) => _maps.TryRemove(eventId, out _);

    private async Task ApplyRemoteAsync()
    {
        await foreach (var apply in _remote.Reader.ReadAllAsync())
        {
            try
            {
                await apply();
            }
            catch (Exception ex)
            {
                // The database is the truth: a map that missed this rebuilds from it when reloaded.
                _logger.LogWarning(ex, "Could not apply another node's pings or counts to the live map");
            }
        }
    }

    private async Task<EventMap?> GetAsync(string eventId, CancellationToken cancellationToken)
    {
        var lazy = _maps.GetOrAdd(eventId, id => new Lazy<Task<EventMap>>(() => LoadAsync(id)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken);
        }
        catch (KeyNotFoundException)
        {
            _maps.TryRemove(new(eventId, lazy));
            return null;
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // A failed load (database briefly unavailable) must be retried, not cached.
            _maps.TryRemove(new(eventId, lazy));
            throw;
        }
    }

    private async Task<EventMap> LoadAsync(string eventId)
    {
        var definition = await _events.FindAsync(eventId) ?? throw new KeyNotFoundException(eventId);
        var map = new EventMap(definition, Options, Options.BandsFor(eventId));
        var now = _time.GetUtcNow();
        await using var db = await _dbFactory.CreateDbContextAsync();
        var pings = await db.Pings.AsNoTracking()
            .Where(p => p.EventId == eventId && p.ExpiresAt > now)
            .OrderByDescending(p => p.Id)
            .Take(Options.MaxLivePingsPerEvent)
            .ToListAsync();
        pings.Reverse();
        var since = now - Options.CameraFreshness;
        var counts = await db.CameraCounts.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt > since)
            .OrderBy(c => c.Id)
            .ToListAsync();
        lock (map)
        {
            foreach (var ping in pings)
            {
                map.Add(ping, pending: false);
            }
            foreach (var count in counts)
            {
                map.SetCamera(count.ZoneId, count.CameraId, count.Count, count.CapturedAt);
            }
            map.TakePending();
            map.TakeSource();
        }
        return map;
    }

    /// <summary>One event's live state. Not thread-safe: callers lock on it.</summary>
    private sealed class EventMap(EventDefinition definition, MapOptions options, DensityBands bands)
    {
        private readonly Grid _grid = new(definition.Center, options.CellSizeM);
        private readonly Dictionary<long, LivePing> _alive = [];
        // Removal from a priority queue is by expiry only, so a replaced ping's entry stays until compaction.
        private PriorityQueue<long, DateTimeOffset> _byExpiry = new();
        private readonly Dictionary<string, long> _byDevice = new(StringComparer.Ordinal);
        private readonly Dictionary<(int X, int Y), int> _cells = [];
        private readonly int[] _zonePings = new int[definition.Zones.Count];
        private readonly Dictionary<(string Zone, string Camera), (int Count, DateTimeOffset At)> _cameras = [];
        // New pings since the last flush: a device's latest position only (it moved; the old one is history),
        // anonymous pings each. Bounded, so a flood cannot build a message no screen could take.
        private Dictionary<string, MapPoint> _pendingByDevice = new(StringComparer.Ordinal);
        private List<MapPoint> _pendingAnonymous = [];
        private int _pendingDropped;
        private bool _pingsChanged;
        private bool _camerasChanged;
        private long _nextId;

        public bool Dirty => _pingsChanged || _camerasChanged;

        public DateTimeOffset LastActivity { get; set; }

        public void Add(Ping ping, bool pending)
        {
            // A device id is its sender's name for a phone: the same id from two users is two phones.
            var deviceKey = ping.DeviceId is { } deviceId ? $"{ping.UserId}/{deviceId}" : null;
            if (deviceKey is not null && _byDevice.TryGetValue(deviceKey, out var previous))
            {
                Remove(previous);
            }
            while (_alive.Count >= options.MaxLivePingsPerEvent && _byExpiry.TryDequeue(out var oldest, out _))
            {
                Remove(oldest);
            }
            var id = ++_nextId;
            var cell = _grid.CellOf(ping.Lat, ping.Lng);
            var zone = ZoneIndexOf(ping.Lat, ping.Lng);
            var point = new MapPoint(ping.Lat, ping.Lng, ping.Accuracy, ping.DeviceId, ping.RecordedAt);
            _alive[id] = new LivePing(point, deviceKey, cell, zone, ping.ExpiresAt);
            _byExpiry.Enqueue(id, ping.ExpiresAt);
            if (_byExpiry.Count > 2 * _alive.Count + 4096)
            {
                // Phones ping every few seconds and each ping replaces the last: without this the queue would keep
                // an entry for every ping of the last 15 minutes. Rebuilding when it is mostly stale keeps it O(live).
                _byExpiry = new PriorityQueue<long, DateTimeOffset>(_alive.Select(p => (p.Key, p.Value.ExpiresAt)));
            }
            if (deviceKey is not null)
            {
                _byDevice[deviceKey] = id;
            }
            _cells[cell] = _cells.GetValueOrDefault(cell) + 1;
            if (zone >= 0)
            {
                _zonePings[zone]++;
            }
            if (pending)
            {
                AddPending(point, deviceKey);
                _pingsChanged = true;
            }
        }

        public void SetCamera(string zoneId, string cameraId, int count, DateTimeOffset capturedAt)
        {
            var key = (zoneId, cameraId);
            // A backfilled (older) count must not overwrite a newer live one.
            if (!_cameras.TryGetValue(key, out var current) || current.At <= capturedAt)
            {
                _cameras[key] = (count, capturedAt);
                _camerasChanged = true;
            }
        }

        public void Expire(DateTimeOffset now)
        {
            while (_byExpiry.TryPeek(out var id, out var expiresAt) && expiresAt <= now)
            {
                _byExpiry.Dequeue();
                Remove(id);
            }
        }

        private void Remove(long id)
        {
            if (!_alive.Remove(id, out var ping))
            {
                return;
            }
            if (ping.DeviceKey is { } device && _byDevice.TryGetValue(device, out var current) && current == id)
            {
                _byDevice.Remove(device);
            }
            if (_cells.TryGetValue(ping.Cell, out var n))
            {
                if (n <= 1)
                {
                    _cells.Remove(ping.Cell);
                }
                else
                {
                    _cells[ping.Cell] = n - 1;
                }
            }
            if (ping.Zone >= 0)
            {
                _zonePings[ping.Zone]--;
            }
            _pingsChanged = true;
        }

        public IReadOnlyList<MapPoint> Points() => [.. _alive.Values.Select(p => p.Point)];

        public IReadOnlyList<DensityCell> Cells() =>
            [.. _cells.Select(c => { var (lat, lng) = _grid.CentreOf(c.Key); return new DensityCell(lat, lng, c.Value); })];

        public IReadOnlyList<ZoneDensity> Zones(DateTimeOffset now)
        {
            var fresh = now - options.CameraFreshness;
            var result = new ZoneDensity[definition.Zones.Count];
            for (var i = 0; i < definition.Zones.Count; i++)
            {
                var zone = definition.Zones[i];
                // Cameras see everyone in their view; pings come only from people who carry a pinging phone.
                // Each camera's latest fresh count is summed (cameras of a zone cover different parts of it),
                // and the zone counts whichever source sees more people.
                var cameras = 0;
                foreach (var ((zoneId, _), (count, at)) in _cameras)
                {
                    if (zoneId == zone.Id && at > fresh)
                    {
                        cameras += count;
                    }
                }
                var people = Math.Max(cameras, _zonePings[i]);
                result[i] = Occupancy.Of(zone, people, bands);
            }
            return result;
        }

        private void AddPending(MapPoint point, string? deviceKey)
        {
            if (deviceKey is not null && _pendingByDevice.ContainsKey(deviceKey))
            {
                _pendingByDevice[deviceKey] = point;
            }
            else if (_pendingByDevice.Count + _pendingAnonymous.Count >= options.MaxPointsPerUpdate)
            {
                _pendingDropped++;
            }
            else if (deviceKey is not null)
            {
                _pendingByDevice[deviceKey] = point;
            }
            else
            {
                _pendingAnonymous.Add(point);
            }
        }

        /// <summary>The new points since the last call, and how many were left out because the update was full.</summary>
        public (IReadOnlyList<MapPoint> Points, int Dropped) TakePending()
        {
            var taken = new List<MapPoint>(_pendingByDevice.Count + _pendingAnonymous.Count);
            taken.AddRange(_pendingByDevice.Values);
            taken.AddRange(_pendingAnonymous);
            var dropped = _pendingDropped;
            _pendingByDevice = new(StringComparer.Ordinal);
            _pendingAnonymous = [];
            _pendingDropped = 0;
            return (taken, dropped);
        }

        public string TakeSource()
        {
            var source = (_pingsChanged, _camerasChanged) switch
            {
                (true, true) => "pings+cctv",
                (false, true) => "cctv",
                _ => "pings",
            };
            _pingsChanged = _camerasChanged = false;
            return source;
        }

        private int ZoneIndexOf(double lat, double lng)
        {
            for (var i = 0; i < definition.Zones.Count; i++)
            {
                if (definition.Zones[i].Polygon.Count >= 3 && Geo.Contains(definition.Zones[i].Polygon, lat, lng))
                {
                    return i;
                }
            }
            return -1;
        }
    }

    private readonly record struct LivePing(MapPoint Point, string? DeviceKey, (int X, int Y) Cell, int Zone, DateTimeOffset ExpiresAt);
}
