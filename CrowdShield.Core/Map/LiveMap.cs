using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
/// The live picture of every event in memory: unexpired pings (one per device: a phone that pings again moves, it
/// does not multiply), the density grid, stewards' positions (apart from the crowd), camera counts, counter
/// occupancy and flows, and each zone's count from its freshest source, all updated incrementally. A ping counts
/// in every zone that holds it (a pit inside an arena counts in both). New pings are collected and sent as one
/// <c>map:update</c> per event per flush (the host flushes once a second). Every node keeps the same picture: what
/// one node stores it announces on the backplane. State is rebuilt from the database the first time an event is
/// touched after a start, after its zones change, and when the backplane comes back.
/// </summary>
public sealed class LiveMap
{
    /// <summary>Counter flows are persons per minute over this window.</summary>
    public static readonly TimeSpan FlowWindow = TimeSpan.FromMinutes(5);

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
            _remote.Writer.TryWrite(() => ApplyRemoteAsync(eventId, map => map.AddPings(pings, _time.GetUtcNow())));
        });
        backplane.Subscribe(BackplaneChannels.Cameras, bytes =>
        {
            var (eventId, zoneId, cameraId, count, capturedAt) = MapEnvelope.DecodeCamera(bytes);
            _remote.Writer.TryWrite(() => ApplyRemoteAsync(eventId, map => map.SetCamera(zoneId, cameraId, count, capturedAt)));
        });
        backplane.Subscribe(BackplaneChannels.Crossings, bytes =>
        {
            var crossing = MapEnvelope.DecodeCrossing(bytes);
            _remote.Writer.TryWrite(() => ApplyRemoteAsync(crossing.EventId, map => map.AddCrossing(crossing)));
        });
        _ = Task.Run(ApplyRemoteLoopAsync);
    }

    private MapOptions Options => _options.Value;

    /// <summary>
    /// Adds durably stored pings, here and on every other node. Already-expired pings are ignored here: accepted,
    /// never shown. Staff pings go to the staff layer, never into counts, density or heat.
    /// </summary>
    public Task AddPingsAsync(string eventId, IReadOnlyList<Ping> pings, CancellationToken cancellationToken = default)
    {
        if (_backplane.IsShared)
        {
            _backplane.Publish(BackplaneChannels.Pings, MapEnvelope.EncodePings(eventId, pings));
        }
        return ApplyAsync(eventId, map => map.AddPings(pings, _time.GetUtcNow()), cancellationToken);
    }

    /// <summary>Records a camera count so that the zone's count includes it, here and on every other node.</summary>
    public Task AddCameraCountAsync(string eventId, string zoneId, string cameraId, int count, DateTimeOffset capturedAt, CancellationToken cancellationToken = default)
    {
        if (_backplane.IsShared)
        {
            _backplane.Publish(BackplaneChannels.Cameras, MapEnvelope.EncodeCamera(eventId, zoneId, cameraId, count, capturedAt));
        }
        return ApplyAsync(eventId, map => map.SetCamera(zoneId, cameraId, count, capturedAt), cancellationToken);
    }

    /// <summary>
    /// Records a stored crossing message (or a recalibration, with no people in or out) and the zone's occupancy the
    /// database computed from it, here and on every other node.
    /// </summary>
    public Task AddCrossingAsync(CrossingUpdate crossing, CancellationToken cancellationToken = default)
    {
        if (_backplane.IsShared)
        {
            _backplane.Publish(BackplaneChannels.Crossings, MapEnvelope.EncodeCrossing(crossing));
        }
        return ApplyAsync(crossing.EventId, map => map.AddCrossing(crossing), cancellationToken);
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
            var zones = map.Zones(now);
            return new MapSnapshot(eventId, map.Points(), map.Cells(), zones, now) { Staff = map.Staff(now), Venue = map.Venue(zones) };
        }
    }

    /// <summary>What a screen draws, the size of the venue whatever the ping rate: the grid, zones, staff and the venue's total.</summary>
    public async Task<MapSnapshot?> DensityAsync(string eventId, CancellationToken cancellationToken = default)
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
            var zones = map.Zones(now);
            return new MapSnapshot(eventId, [], map.Cells(), zones, now) { Staff = map.Staff(now), Venue = map.Venue(zones) };
        }
    }

    /// <summary>The current picture of each zone of an event.</summary>
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

    /// <summary>Each people counter's flows over the last 5 minutes.</summary>
    public async Task<IReadOnlyList<CounterFlow>> CountersAsync(string eventId, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return [];
        }
        lock (map)
        {
            return map.Counters(_time.GetUtcNow());
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
            MapUpdatePayload payload;
            lock (map)
            {
                var now = _time.GetUtcNow();
                map.Expire(now);
                if (!mine)
                {
                    // Another node sends this event's updates. A pending snapshot stays: should this node take the
                    // event over (the other died, or it is this node's own lease from before a crash, running out),
                    // its first update is the whole picture.
                    map.DropChanges();
                    continue;
                }
                var changes = map.TakeChanges();
                var zones = map.Zones(now);
                payload = new MapUpdatePayload(changes.Points, map.Cells(), zones, now, changes.Source)
                {
                    DroppedPoints = changes.Dropped, Staff = map.Staff(now), Venue = map.Venue(zones),
                    Snapshot = changes.Source == MapSources.Snapshot,
                };
            }
            await bus.PublishAsync(eventId, MessageTypes.MapUpdate, payload, cancellationToken);
        }
    }

    /// <summary>Events that received pings, counts or crossings within <paramref name="within"/>: the ones worth assessing.</summary>
    public IReadOnlyList<string> ActiveEvents(TimeSpan within)
    {
        var since = _time.GetUtcNow() - within;
        return [.. _maps.Where(m => m.Value.IsValueCreated && m.Value.Value.IsCompletedSuccessfully && m.Value.Value.Result.LastActivity >= since)
            .Select(m => m.Key)];
    }

    /// <summary>
    /// Loads the map of every event with live data (unexpired pings, fresh camera counts). A node calls this when it
    /// starts, so that the first flush sends each such event's snapshot: the pings acknowledged in the last second
    /// before a crash reach the screens even if no new ping ever comes.
    /// </summary>
    public async Task LoadLiveAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        var cameraSince = now - Options.CameraFreshness;
        List<string> live;
        await using (var db = await _dbFactory.CreateDbContextAsync(cancellationToken))
        {
            live = await db.Events.AsNoTracking().Select(e => e.Id)
                .Where(id => db.Pings.Any(p => p.EventId == id && p.ExpiresAt > now)
                    || db.CameraCounts.Any(c => c.EventId == id && c.ReceivedAt > cameraSince))
                .ToListAsync(cancellationToken);
        }
        foreach (var eventId in live)
        {
            await EnsureLoadedAsync(eventId, cancellationToken);
        }
    }

    /// <summary>Forgets an event's state so the next use rebuilds it (after its zones changed).</summary>
    public void Invalidate(string eventId) => _maps.TryRemove(eventId, out _);

    /// <summary>
    /// Loads the event's map now if it is not in memory yet. Ingest calls this before it stores anything: a map
    /// loaded after the store would read the new data from the database and then be given it again.
    /// </summary>
    public async Task EnsureLoadedAsync(string eventId, CancellationToken cancellationToken = default) => await GetAsync(eventId, cancellationToken);

    private async Task ApplyAsync(string eventId, Action<EventMap> change, CancellationToken cancellationToken = default)
    {
        var map = await GetAsync(eventId, cancellationToken);
        if (map is null)
        {
            return;
        }
        lock (map)
        {
            change(map);
            map.LastActivity = _time.GetUtcNow();
        }
    }

    private async Task ApplyRemoteLoopAsync()
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
                _logger.LogWarning(ex, "Could not apply another node's pings, counts or crossings to the live map");
            }
        }
    }

    /// <summary>
    /// What another node stored, applied only to a map this node already has: a map loaded later reads it from the
    /// database, and applying it on top would count it twice.
    /// </summary>
    private async Task ApplyRemoteAsync(string eventId, Action<EventMap> change)
    {
        if (_maps.TryGetValue(eventId, out var lazy) && lazy.IsValueCreated)
        {
            await ApplyAsync(eventId, change);
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
        var staffIds = pings.Where(p => p.Staff && p.UserId is not null).Select(p => p.UserId!).Distinct().ToList();
        var names = await db.Users.AsNoTracking().Where(u => staffIds.Contains(u.Id)).ToDictionaryAsync(u => u.Id, u => u.Name);
        var since = now - Options.CameraFreshness;
        var counts = await db.CameraCounts.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt > since)
            .OrderBy(c => c.Id)
            .ToListAsync();
        var occupancies = await db.ZoneOccupancies.AsNoTracking().Where(o => o.EventId == eventId).ToListAsync();
        var flowSince = now - FlowWindow;
        var crossings = await db.Crossings.AsNoTracking()
            .Where(c => c.EventId == eventId && c.ReceivedAt > flowSince)
            .OrderBy(c => c.Id)
            .ToListAsync();
        lock (map)
        {
            map.AddPings([.. pings.Select(p => p.Staff && p.UserId is { } id ? p.WithStaffName(names.GetValueOrDefault(id)) : p)], now);
            foreach (var count in counts)
            {
                map.SetCamera(count.ZoneId, count.CameraId, count.Count, count.CapturedAt);
            }
            foreach (var occupancy in occupancies)
            {
                map.AddCrossing(new CrossingUpdate(eventId, occupancy.ZoneId, null, 0, 0, occupancy.UpdatedAt, occupancy.Occupancy, occupancy.UpdatedAt));
            }
            foreach (var crossing in crossings)
            {
                map.AddFlow(crossing.ZoneId, crossing.CounterId, crossing.In, crossing.Out, crossing.ReceivedAt);
            }
            map.TakeChanges();
            map.SnapshotPending = map.HasData;
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
        // Looked up once per ping: the device's live ping and its place in this round's update hang off its entry.
        private readonly Dictionary<DeviceKey, Device> _devices = [];
        private readonly Dictionary<(int X, int Y), int> _cells = [];
        private readonly int[] _zonePings = new int[definition.Zones.Count];
        private readonly DateTimeOffset[] _zonePingAt = new DateTimeOffset[definition.Zones.Count];
        private readonly Dictionary<(string Zone, string Camera), (int Count, DateTimeOffset At)> _cameras = [];
        private readonly Dictionary<string, (int Value, DateTimeOffset At)> _occupancy = new(StringComparer.Ordinal);
        private readonly Queue<(DateTimeOffset At, string ZoneId, string CounterId, int In, int Out)> _flows = new();
        private readonly Dictionary<string, (StaffPosition Position, DateTimeOffset ExpiresAt)> _staff = new(StringComparer.Ordinal);
        // New pings since the last flush: a device's latest position only (it moved; the old one is history),
        // anonymous pings each. Bounded, so a flood cannot build a message no screen could take.
        private List<MapPoint> _pending = [];
        private int _pendingDropped;
        // Counts flushes, so that a device knows whether its pending index belongs to this round.
        private int _round = 1;
        // Devices whose live ping went while this round's update still carries their point: kept until the round
        // ends, so that a new ping from them replaces that point instead of adding a second one.
        private readonly List<Device> _keptForPending = [];
        private bool _pingsChanged;
        private bool _camerasChanged;
        private bool _crossingsChanged;
        private bool _staffChanged;
        private long _nextId;

        public bool Dirty => _pingsChanged || _camerasChanged || _crossingsChanged || _staffChanged || SnapshotPending;

        /// <summary>
        /// The next update must carry the whole picture: the map was just built from the database (after a start, a
        /// zone change or the backplane's return), so screens may have missed what it holds — above all the pings
        /// acknowledged in the last second before a crash, which no update carried.
        /// </summary>
        public bool SnapshotPending { get; set; }

        public bool HasData => _alive.Count > 0 || _cameras.Count > 0 || _occupancy.Count > 0 || _staff.Count > 0;

        public DateTimeOffset LastActivity { get; set; }

        public void AddPings(IReadOnlyList<Ping> pings, DateTimeOffset now)
        {
            foreach (var ping in pings)
            {
                if (ping.ExpiresAt <= now)
                {
                    continue;
                }
                if (ping.Staff && ping.UserId is { } userId)
                {
                    SetStaff(userId, ping);
                }
                else
                {
                    Add(ping);
                }
            }
        }

        private void SetStaff(string userId, Ping ping)
        {
            if (_staff.TryGetValue(userId, out var current) && current.Position.At > ping.RecordedAt)
            {
                return;
            }
            var zones = definition.ZonesAt(ping.Lat, ping.Lng).Select(z => z.Id).ToList();
            var near = definition.ZoneIndex.ZonesNear(ping.Lat, ping.Lng, StaffPosition.NearMetres).Select(i => definition.Zones[i].Id).ToList();
            var name = ping.StaffName ?? current.Position?.Name ?? "Steward";
            _staff[userId] = (new StaffPosition(userId, name, ping.Lat, ping.Lng, ping.RecordedAt, zones) { NearZoneIds = near }, ping.ExpiresAt);
            _staffChanged = true;
        }

        private void Add(Ping ping)
        {
            Device? device = null;
            if (ping.DeviceId is { } deviceId)
            {
                // A device id is its sender's name for a phone: the same id from two users is two phones.
                var key = new DeviceKey(ping.UserId ?? "", deviceId);
                ref var entry = ref CollectionsMarshal.GetValueRefOrAddDefault(_devices, key, out _);
                device = entry ??= new Device(key);
                if (device.LiveId is var previous and not 0)
                {
                    // It moved: its old position goes, and the device stays (Remove keeps a device whose ping is live).
                    device.LiveId = 0;
                    Remove(previous);
                }
            }
            while (_alive.Count >= options.MaxLivePingsPerEvent && _byExpiry.TryDequeue(out var oldest, out _))
            {
                Remove(oldest);
            }
            var id = ++_nextId;
            var cell = _grid.CellOf(ping.Lat, ping.Lng);
            var zones = definition.ZoneIndex.ZonesAt(ping.Lat, ping.Lng);
            var point = new MapPoint(ping.Lat, ping.Lng, ping.Accuracy, ping.DeviceId, ping.RecordedAt);
            _alive[id] = new LivePing(point, device, cell, zones, ping.ExpiresAt);
            _byExpiry.Enqueue(id, ping.ExpiresAt);
            if (_byExpiry.Count > 2 * _alive.Count + 4096)
            {
                // Phones ping every few seconds and each ping replaces the last: without this the queue would keep
                // an entry for every ping of the last 15 minutes. Rebuilding when it is mostly stale keeps it O(live).
                _byExpiry = new PriorityQueue<long, DateTimeOffset>(_alive.Select(p => (p.Key, p.Value.ExpiresAt)));
            }
            if (device is not null)
            {
                device.LiveId = id;
            }
            CollectionsMarshal.GetValueRefOrAddDefault(_cells, cell, out _)++;
            foreach (var zone in zones)
            {
                _zonePings[zone]++;
                if (ping.RecordedAt > _zonePingAt[zone])
                {
                    _zonePingAt[zone] = ping.RecordedAt;
                }
            }
            AddPending(point, device);
            _pingsChanged = true;
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

        public void AddCrossing(CrossingUpdate crossing)
        {
            if (!_occupancy.TryGetValue(crossing.ZoneId, out var current) || current.At <= crossing.OccupancyAt)
            {
                _occupancy[crossing.ZoneId] = (crossing.Occupancy, crossing.OccupancyAt);
            }
            if (crossing.CounterId is { } counter)
            {
                AddFlow(crossing.ZoneId, counter, crossing.In, crossing.Out, crossing.OccupancyAt);
            }
            _crossingsChanged = true;
        }

        public void AddFlow(string zoneId, string counterId, int entered, int left, DateTimeOffset at) =>
            _flows.Enqueue((at, zoneId, counterId, entered, left));

        public void Expire(DateTimeOffset now)
        {
            while (_byExpiry.TryPeek(out var id, out var expiresAt) && expiresAt <= now)
            {
                _byExpiry.Dequeue();
                Remove(id);
            }
            while (_flows.TryPeek(out var flow) && flow.At <= now - FlowWindow)
            {
                _flows.Dequeue();
                _crossingsChanged = true;
            }
            foreach (var (userId, staff) in _staff.Where(s => s.Value.ExpiresAt <= now).ToList())
            {
                _staff.Remove(userId);
                _staffChanged = true;
            }
        }

        private void Remove(long id)
        {
            if (!_alive.Remove(id, out var ping))
            {
                return;
            }
            if (ping.Device is { } device && device.LiveId == id)
            {
                // Expired or pushed out: the device is gone from the map, unless this round's update still has it.
                device.LiveId = 0;
                if (device.PendingRound == _round)
                {
                    _keptForPending.Add(device);
                }
                else
                {
                    _devices.Remove(device.Key);
                }
            }
            ref var n = ref CollectionsMarshal.GetValueRefOrNullRef(_cells, ping.Cell);
            if (!Unsafe.IsNullRef(ref n) && --n <= 0)
            {
                _cells.Remove(ping.Cell);
            }
            foreach (var zone in ping.Zones)
            {
                _zonePings[zone]--;
            }
            _pingsChanged = true;
        }

        public IReadOnlyList<MapPoint> Points() => [.. _alive.Values.Select(p => p.Point)];

        public IReadOnlyList<DensityCell> Cells() =>
            [.. _cells.Select(c => { var (lat, lng) = _grid.CentreOf(c.Key); return new DensityCell(lat, lng, c.Value); })];

        public IReadOnlyList<StaffPosition> Staff(DateTimeOffset now) =>
            [.. _staff.Values.Where(s => s.ExpiresAt > now).Select(s => s.Position).OrderBy(s => s.Name, StringComparer.CurrentCulture)];

        /// <summary>
        /// Each zone's count from its freshest source. Cameras and counters count heads: the one that reported last
        /// wins while either is fresh; a zone with counters keeps their running occupancy after that. Pings are a
        /// sample (people who carry a pinging phone), so they count only where nothing counts heads.
        /// </summary>
        public IReadOnlyList<ZoneDensity> Zones(DateTimeOffset now)
        {
            var fresh = now - options.CameraFreshness;
            var flowsByZone = _flows.GroupBy(f => f.ZoneId).ToDictionary(g => g.Key, g => (In: g.Sum(f => f.In), Out: g.Sum(f => f.Out)));
            var result = new ZoneDensity[definition.Zones.Count];
            for (var i = 0; i < definition.Zones.Count; i++)
            {
                var zone = definition.Zones[i];
                int? camera = null;
                var cameraAt = DateTimeOffset.MinValue;
                foreach (var ((zoneId, _), (count, at)) in _cameras)
                {
                    if (zoneId == zone.Id && at > fresh)
                    {
                        camera = (camera ?? 0) + count;
                        cameraAt = at > cameraAt ? at : cameraAt;
                    }
                }
                (int Value, DateTimeOffset At)? occupancy = _occupancy.TryGetValue(zone.Id, out var o) ? o : null;
                var (people, source) = (camera, occupancy) switch
                {
                    ({ } c, { } occ) when occ.At > fresh => occ.At > cameraAt ? (occ.Value, CountSources.Crossings) : (c, CountSources.Camera),
                    ({ } c, _) => (c, CountSources.Camera),
                    (null, { } occ) => (occ.Value, CountSources.Crossings),
                    _ => (_zonePings[i], CountSources.Pings),
                };
                var density = Occupancy.Of(zone, people, bands);
                var flow = flowsByZone.TryGetValue(zone.Id, out var f) ? f : ((int In, int Out)?)null;
                var inflow = flow is { } inOut ? Math.Round(inOut.In / FlowWindow.TotalMinutes, 1) : (double?)null;
                var perMetre = inflow is { } perMinute && zone.GateWidthM is > 0 and var width ? Math.Round(perMinute / width, 1) : (double?)null;
                result[i] = density with
                {
                    Occupancy = occupancy?.Value,
                    InflowPerMin = inflow,
                    OutflowPerMin = flow is { } outFlow ? Math.Round(outFlow.Out / FlowWindow.TotalMinutes, 1) : null,
                    FlowPerMetre = perMetre,
                    FlowLevel = perMetre is { } value ? FlowLevels.Of(value) : null,
                    Capacity = zone.Capacity,
                    Usage = zone.Capacity is > 0 and var capacity ? Math.Round((double)people / capacity, 3) : null,
                    Source = source,
                };
            }
            return result;
        }

        public VenueTotal Venue(IReadOnlyList<ZoneDensity> zones)
        {
            var total = definition.ZoneIndex.TopLevel.Sum(i => zones[i].Count);
            return new VenueTotal(total, definition.Capacity, definition.Capacity is > 0 and var capacity ? Math.Round((double)total / capacity, 3) : null);
        }

        public IReadOnlyList<CounterFlow> Counters(DateTimeOffset now) =>
            [.. _flows.Where(f => f.At > now - FlowWindow).GroupBy(f => (f.CounterId, f.ZoneId)).Select(g => new CounterFlow(
                g.Key.CounterId, g.Key.ZoneId, Math.Round(g.Sum(f => f.In) / FlowWindow.TotalMinutes, 1),
                Math.Round(g.Sum(f => f.Out) / FlowWindow.TotalMinutes, 1), g.Max(f => f.At))).OrderBy(c => c.CounterId, StringComparer.Ordinal)];

        private void AddPending(MapPoint point, Device? device)
        {
            if (device is { } pending && pending.PendingRound == _round)
            {
                _pending[pending.PendingIndex] = point;
            }
            else if (_pending.Count >= options.MaxPointsPerUpdate)
            {
                _pendingDropped++;
            }
            else
            {
                if (device is not null)
                {
                    device.PendingRound = _round;
                    device.PendingIndex = _pending.Count;
                }
                _pending.Add(point);
            }
        }

        /// <summary>What changed since the last call (the new points, how many did not fit, and which kinds of input), and starts a new round.</summary>
        public (IReadOnlyList<MapPoint> Points, int Dropped, string Source) TakeChanges()
        {
            if (SnapshotPending)
            {
                // Every live point (the newest ones when there are more than an update holds), replacing what screens have.
                var all = _alive.Values.Select(p => p.Point).ToList();
                var kept = all.Count > options.MaxPointsPerUpdate ? all[^options.MaxPointsPerUpdate..] : all;
                SnapshotPending = false;
                ClearPending();
                return (kept, all.Count - kept.Count, MapSources.Snapshot);
            }
            var taken = _pending;
            var dropped = _pendingDropped;
            var kinds = new List<string>(3);
            if (_pingsChanged || _staffChanged || (!_camerasChanged && !_crossingsChanged))
            {
                kinds.Add(MapSources.Pings);
            }
            if (_camerasChanged)
            {
                kinds.Add(MapSources.Cameras);
            }
            if (_crossingsChanged)
            {
                kinds.Add(MapSources.Crossings);
            }
            ClearPending();
            return (taken, dropped, string.Join('+', kinds));
        }

        /// <summary>Forgets what changed since the last call without sending it; a pending snapshot stays pending.</summary>
        public void DropChanges() => ClearPending();

        private void ClearPending()
        {
            _pending = [];
            _pendingDropped = 0;
            _round++;
            foreach (var device in _keptForPending)
            {
                if (device.LiveId == 0)
                {
                    _devices.Remove(device.Key);
                }
            }
            _keptForPending.Clear();
            _pingsChanged = _camerasChanged = _crossingsChanged = _staffChanged = false;
        }
    }

    private readonly record struct LivePing(MapPoint Point, Device? Device, (int X, int Y) Cell, int[] Zones, DateTimeOffset ExpiresAt);

    private readonly record struct DeviceKey(string UserId, string DeviceId);

    /// <summary>A phone on the map: its live ping (0 when none) and where this round's update holds its point.</summary>
    private sealed class Device(DeviceKey key)
    {
        public DeviceKey Key { get; } = key;

        public long LiveId { get; set; }

        /// <summary>The round in which <see cref="PendingIndex"/> is valid.</summary>
        public int PendingRound { get; set; }

        public int PendingIndex { get; set; }
    }
}

/// <summary>A stored crossing message (or an operator's recalibration) and the zone's occupancy after it.</summary>
public sealed record CrossingUpdate(string EventId, string ZoneId, string? CounterId, int In, int Out, DateTimeOffset CapturedAt, int Occupancy, DateTimeOffset OccupancyAt);
