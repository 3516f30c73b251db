using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Tests.Data;

/// <summary>
/// The group commit's stores on a real SQLite file: SQLite's own (bound by position through SQLite's API, what the
/// app runs) and Core's provider-neutral one must store the same rows, and a commit is all of its pings or none.
/// </summary>
public sealed class PingStoreTests : IDisposable
{
    private const string EventId = "fest";
    private static readonly DateTimeOffset Now = new(2026, 7, 4, 18, 0, 0, 123, TimeSpan.Zero);
    private readonly TestDatabase _db = new();
    private readonly List<IDisposable> _stores = [];

    public void Dispose()
    {
        // SQLite's store keeps its connection open between commits.
        _stores.ForEach(store => store.Dispose());
        _db.Dispose();
    }

    public static TheoryData<string> Stores => [nameof(SqlitePingStore), nameof(SqlPingStore)];

    private IPingStore Store(string name)
    {
        if (name != nameof(SqlitePingStore))
        {
            return new SqlPingStore(_db);
        }
        var store = new SqlitePingStore(_db, new WriteTurns());
        _stores.Add(store);
        return store;
    }

    private static Ping NewPing(double lat, string? device = null, string? user = null, double? accuracy = null, bool staff = false) => new()
    {
        EventId = EventId, Lat = lat, Lng = -0.1, Accuracy = accuracy, DeviceId = device, UserId = user, Staff = staff,
        RecordedAt = Now, ExpiresAt = Now + CrowdShield.Core.Map.Ping.Lifetime,
    };

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task EveryPingOfEveryRequest_IsStored_WithItsOptionalFieldsAndTimes(string store)
    {
        await _db.AddEventAsync(EventId, Now);
        Ping[] first = [NewPing(51.501, device: "phone-1", user: "u1", accuracy: 4.5), NewPing(51.502)];
        Ping[] second = [NewPing(51.503, user: "steward", staff: true)];

        await Store(store).StoreAsync([first, second], CancellationToken.None);

        await using var db = _db.CreateDbContext();
        var rows = await db.Pings.AsNoTracking().OrderBy(p => p.Id).ToListAsync();
        Assert.Equal([51.501, 51.502, 51.503], rows.Select(p => p.Lat));
        Assert.All(rows, p => Assert.Equal((EventId, -0.1, Now, Now + CrowdShield.Core.Map.Ping.Lifetime), (p.EventId, p.Lng, p.RecordedAt, p.ExpiresAt)));
        Assert.Equal(("phone-1", "u1", 4.5, false), (rows[0].DeviceId, rows[0].UserId, rows[0].Accuracy, rows[0].Staff));
        Assert.Equal((null, null, null, false), (rows[1].DeviceId, rows[1].UserId, rows[1].Accuracy, rows[1].Staff));
        Assert.Equal((null, "steward", true), (rows[2].DeviceId, rows[2].UserId, rows[2].Staff));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task ACommitLargerThanOneStatement_StoresEveryPingOnce_InTheOrderTheyCame(string store)
    {
        await _db.AddEventAsync(EventId, Now);
        // SQLite's store writes full multi-row statements and then the rest one by one: requests of uneven sizes
        // make a commit of two full statements plus a remainder, with statements spanning request boundaries.
        var rows = SqlitePingStore.RowsPerStatement;
        var sizes = new[] { 1, rows - 3, rows + 7, 2 };
        var next = 0;
        var requests = sizes.Select(size => Enumerable.Range(0, size).Select(_ => NewPing(50 + next++ / 1000.0, device: $"phone-{next}")).ToArray()).ToList();

        await Store(store).StoreAsync(requests, CancellationToken.None);

        await using var db = _db.CreateDbContext();
        var stored = await db.Pings.AsNoTracking().OrderBy(p => p.Id).ToListAsync();
        Assert.Equal(requests.SelectMany(r => r).Select(p => (p.Lat, p.DeviceId)), stored.Select(p => (p.Lat, p.DeviceId)));
    }

    [Theory]
    [MemberData(nameof(Stores))]
    public async Task APingTheDatabaseRefuses_FailsTheWholeCommit_AndStoresNothingOfIt(string store)
    {
        await _db.AddEventAsync(EventId, Now);
        // The second request's only ping cannot be stored: SQLite binds NaN as NULL, which the NOT NULL latitude
        // refuses (SqliteException); Microsoft.Data.Sqlite refuses NaN before SQLite sees it.
        Ping[] good = [NewPing(51.501), NewPing(51.502)];
        Ping[] refused = [NewPing(double.NaN)];
        var pings = Store(store);

        var error = await Assert.ThrowsAnyAsync<Exception>(() => pings.StoreAsync([good, refused], CancellationToken.None));
        if (store == nameof(SqlitePingStore))
        {
            // The same exception type as Microsoft.Data.Sqlite's, which the API maps to 503 when storage is unavailable.
            Assert.Equal(19 /* SQLITE_CONSTRAINT */, Assert.IsType<SqliteException>(error).SqliteErrorCode);
        }

        await using var db = _db.CreateDbContext();
        Assert.Equal(0, await db.Pings.CountAsync());
        // The same store commits again afterwards (SQLite's on a fresh connection).
        await pings.StoreAsync([good], CancellationToken.None);
        Assert.Equal(2, await db.Pings.CountAsync());
    }

    [Fact]
    public async Task SqlitesStore_KeepsCommittingOnItsConnection_AndRefusesOnceDisposed()
    {
        await _db.AddEventAsync(EventId, Now);
        var store = new SqlitePingStore(_db, new WriteTurns());
        var rows = SqlitePingStore.RowsPerStatement;

        // Commits of both sizes of statement, one after the other on the statements prepared by the first.
        for (var commit = 0; commit < 3; commit++)
        {
            var size = rows + commit;
            await store.StoreAsync([Enumerable.Range(0, size).Select(i => NewPing(50 + i / 1000.0, device: $"c{commit}")).ToArray()], CancellationToken.None);
        }
        store.Dispose();

        await using var db = _db.CreateDbContext();
        var perCommit = await db.Pings.GroupBy(p => p.DeviceId).Select(g => new { g.Key, Count = g.Count() }).OrderBy(g => g.Key).ToListAsync();
        Assert.Equal([("c0", rows), ("c1", rows + 1), ("c2", rows + 2)], perCommit.Select(g => (g.Key!, g.Count)));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => store.StoreAsync([[NewPing(51)]], CancellationToken.None));
    }

    [Fact]
    public async Task SqlitesStore_HoldsItsCommitBack_WhileAnotherWriterWantsTheLock()
    {
        await _db.AddEventAsync(EventId, Now);
        var turns = new WriteTurns();
        var store = new SqlitePingStore(_db, turns);
        _stores.Add(store);
        // Opens the store's connection first, so that the commit below is only the commit.
        await store.StoreAsync([[NewPing(51.0)]], CancellationToken.None);

        var writer = turns.Want();
        var commit = Task.Run(async () =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await store.StoreAsync([[NewPing(51.1)]], CancellationToken.None);
            return (started, ended: System.Diagnostics.Stopwatch.GetTimestamp());
        });
        await Task.Delay(20);
        var left = System.Diagnostics.Stopwatch.GetTimestamp();
        writer.Dispose();
        var (started, ended) = await commit;

        // Until the other writer was done, or until the bound if this machine was too slow to get there first.
        var bound = started + (long)(WriteTurns.MostHeldBack.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        Assert.True(ended >= Math.Min(left, bound), "The pings were committed while another writer wanted the lock.");
        await using var db = _db.CreateDbContext();
        Assert.Equal(2, await db.Pings.CountAsync());
    }
}
