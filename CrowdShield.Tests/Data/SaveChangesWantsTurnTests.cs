using System.Data.Common;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Tests.Data;

/// <summary>On SQLite, a SaveChanges wants the write lock while it writes, so that a ping flood lets it in.</summary>
public sealed class SaveChangesWantsTurnTests : IDisposable
{
    private readonly TestDatabase _db = new();
    private readonly WriteTurns _turns = new();
    private readonly WantedWhileWriting _writes;

    public SaveChangesWantsTurnTests() => _writes = new(_turns);

    public void Dispose() => _db.Dispose();

    private CrowdShieldDb Context() => new(new DbContextOptionsBuilder<CrowdShieldDb>()
        .UseSqlite(_db.ConnectionString)
        .AddInterceptors(new SaveChangesWantsTurn(_turns), _writes)
        .Options);

    private static Event NewEvent(string id) =>
        new() { Id = id, Name = "Fest", CenterLat = 51.5, CenterLng = -0.1, CreatedAt = DateTimeOffset.UtcNow };

    [Fact]
    public async Task ASave_IsWantedWhileItWrites_AndNotAfter()
    {
        await using var db = Context();
        db.Events.Add(NewEvent("fest"));

        await db.SaveChangesAsync();

        Assert.NotEmpty(_writes.Seen);
        Assert.All(_writes.Seen, wanted => Assert.True(wanted));
        Assert.False(_turns.Wanted);
    }

    [Fact]
    public async Task ASaveThatFails_IsNotWantedAfterwards()
    {
        await using (var first = Context())
        {
            first.Events.Add(NewEvent("fest"));
            await first.SaveChangesAsync();
        }
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

        Assert.NotEmpty(_writes.Seen);
        Assert.All(_writes.Seen, wanted => Assert.True(wanted));
        Assert.False(_turns.Wanted);
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
