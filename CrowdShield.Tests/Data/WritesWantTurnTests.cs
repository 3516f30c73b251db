using System.Data.Common;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Tests.Data;

/// <summary>
/// On SQLite, a SaveChanges and a statement that is not a query want the write lock while they write, so that a ping
/// flood lets them in; a query does not.
/// </summary>
public sealed class WritesWantTurnTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly WriteTurns _turns = new();
    private readonly WantedWhileWriting _writes;

    public WritesWantTurnTests() => _writes = new(_turns);

    public void Dispose() => _db.Dispose();

    private CrowdShieldDb Context() => new(new DbContextOptionsBuilder<CrowdShieldDb>()
        .UseSqlite(_db.ConnectionString)
        .AddInterceptors(new SaveChangesWantsTurn(_turns), new NonQueriesWantTurn(_turns), _writes)
        .Options);

    private static Event NewEvent(string id) =>
        new() { Id = id, Name = "Fest", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = DateTimeOffset.UtcNow };

    /// <summary>Every command of the write went to SQLite while the write was wanted, and the want ended with it.</summary>
    private void AssertWantedOnlyWhileWriting()
    {
        Assert.NotEmpty(_writes.Seen);
        Assert.All(_writes.Seen, wanted => Assert.True(wanted));
        Assert.False(_turns.Wanted);
    }

    private async Task StoreEventAsync(string id)
    {
        await using var db = Context();
        db.Events.Add(NewEvent(id));
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task ASave_IsWantedWhileItWrites_AndNotAfter()
    {
        await using var db = Context();
        db.Events.Add(NewEvent("fest"));

        await db.SaveChangesAsync();

        AssertWantedOnlyWhileWriting();
    }

    [Fact]
    public async Task ASaveThatFails_IsNotWantedAfterwards()
    {
        await StoreEventAsync("fest");
        await using var db = Context();
        db.Events.Add(NewEvent("fest"));

        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());

        Assert.False(_turns.Wanted);
    }

    [Fact]
    public void ASynchronousSave_IsWantedWhileItWrites_AndNotAfter()
    {
        using var db = Context();
        db.Events.Add(NewEvent("fest"));

        db.SaveChanges();

        AssertWantedOnlyWhileWriting();
    }

    [Fact]
    public async Task AnExecuteUpdate_IsWantedWhileItRuns_AndNotAfter()
    {
        await StoreEventAsync("fest");
        _writes.Seen.Clear();
        await using var db = Context();

        var updated = await db.Events.Where(e => e.Id == "fest").ExecuteUpdateAsync(s => s.SetProperty(e => e.Name, "Riverside"));

        Assert.Equal(1, updated);
        Assert.True(Assert.Single(_writes.Seen));
        Assert.False(_turns.Wanted);
    }

    [Fact]
    public async Task AStatementThatFails_IsNotWantedAfterwards()
    {
        await using var db = Context();

        await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() => db.Database.ExecuteSqlRawAsync("UPDATE no_such_table SET x = 1"));

        Assert.False(_turns.Wanted);
    }

    [Fact]
    public async Task AQuery_DoesNotWantTheLock()
    {
        await using var db = Context();

        await db.Events.ToListAsync();

        Assert.False(Assert.Single(_writes.Seen));
    }

    /// <summary>Whether the write was wanted at the moment each of its commands went to SQLite.</summary>
    private sealed class WantedWhileWriting(WriteTurns turns) : DbCommandInterceptor
    {
        public List<bool> Seen { get; } = [];

        private T Saw<T>(T result)
        {
            Seen.Add(turns.Wanted);
            return result;
        }

        public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result) =>
            Saw(result);

        public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Saw(result));

        public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result) =>
            Saw(result);

        public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(
            DbCommand command, CommandEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Saw(result));
    }
}
