using CrowdShield.Core.Cameras;
using CrowdShield.Core.Data;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Zones;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Core;

/// <summary>
/// A camera's count is written in a transaction whose BEGIN waits for SQLite's write lock: it must say it wants the
/// lock while it waits, or a ping flood (the ping store committing back to back) keeps it waiting for a gap.
/// </summary>
public sealed class CameraIngestTurnTests : IAsyncLifetime
{
    private const string EventId = "fest";
    private readonly TestDatabase _db = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 7, 4, 18, 0, 0, TimeSpan.Zero));
    private readonly WriteTurns _turns = new();
    private MessageBus _bus = default!;
    private CameraIngest _cameras = default!;

    public async Task InitializeAsync()
    {
        await _db.AddEventAsync(EventId, _time.GetUtcNow(), new Zone { Id = "gate", EventId = EventId, Name = "Gate 3", AlertThreshold = 100 });
        _bus = CoreParts.Bus(_db, _time);
        _cameras = new CameraIngest(_db, CoreParts.Events(_db), CoreParts.Map(_db, _time), CoreParts.Alerts(_db, _bus, _time), _turns, _time);
    }

    public async Task DisposeAsync()
    {
        await _bus.DisposeAsync();
        _db.Dispose();
    }

    [Fact]
    public async Task ACount_WantsTheWriteLockWhileItWaitsForIt_AndNotOnceStored()
    {
        // Another writer holds the lock, as the ping store does in the middle of a commit.
        await using var holder = new SqliteConnection(_db.ConnectionString);
        await holder.OpenAsync();
        await ExecuteAsync(holder, "BEGIN IMMEDIATE;");

        // Off the test's thread: Microsoft.Data.Sqlite waits for a lock synchronously, even under its async API.
        var counting = Task.Run(() => _cameras.IngestAsync(new CameraCountRequest(EventId, "cam-1", "gate", 42, null, null)));

        await Eventually.TrueAsync(() => _turns.Wanted);
        Assert.False(counting.IsCompleted);

        await ExecuteAsync(holder, "COMMIT;");
        var stored = await counting;

        Assert.Equal(42, stored!.Count);
        Assert.False(_turns.Wanted);
    }

    private static async Task ExecuteAsync(SqliteConnection connection, string sql)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }
}
