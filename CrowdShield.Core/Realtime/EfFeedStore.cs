using System.Data.Common;
using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Realtime;

/// <summary>
/// The feed in the application database. Appending is plain ADO.NET with provider-neutral SQL (quoted identifiers,
/// <c>@</c> parameters, upsert with RETURNING: the same text on SQLite and PostgreSQL): it is the hottest write.
/// An append says it wants the write lock (<paramref name="turns"/>), so a ping flood lets it in.
/// </summary>
public sealed class EfFeedStore(IDbContextFactory<CrowdShieldDb> dbFactory, WriteTurns turns) : IFeedStore
{
    public async Task<IReadOnlyList<FeedEntry>> AppendAsync(
        IReadOnlyList<FeedDraft> drafts, Func<FeedDraft, long, FeedEntry> compose, CancellationToken cancellationToken)
    {
        using var turn = turns.Want();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Opened through EF, so that the connection gets the app's settings (on SQLite: wait for the write lock in
        // SQLite's busy handler, not in Microsoft.Data.Sqlite's retry, which sleeps 150 ms a try).
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        // Counters in a fixed order (ordinal event id): two nodes appending to the same events lock them alike
        // and cannot deadlock.
        var next = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var group in drafts.GroupBy(d => d.EventId, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var count = group.Count();
            var last = await ReserveAsync(connection, transaction, group.Key, count, cancellationToken);
            next[group.Key] = last - count + 1;
        }

        var entries = new FeedEntry[drafts.Count];
        for (var i = 0; i < drafts.Count; i++)
        {
            var seq = next[drafts[i].EventId]++;
            entries[i] = compose(drafts[i], seq);
        }

        await using var insert = connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = """INSERT INTO "feed" ("EventId", "Seq", "Type", "Payload", "At") VALUES (@e, @s, @t, @p, @a)""";
        var eventId = Parameter(insert, "@e");
        var seqParameter = Parameter(insert, "@s");
        var type = Parameter(insert, "@t");
        var payload = Parameter(insert, "@p");
        var at = Parameter(insert, "@a");
        foreach (var entry in entries)
        {
            eventId.Value = entry.EventId;
            seqParameter.Value = entry.Seq;
            type.Value = entry.Type;
            payload.Value = entry.Payload;
            at.Value = entry.At.ToUnixTimeMilliseconds();
            await insert.ExecuteNonQueryAsync(cancellationToken);
        }
        await transaction.CommitAsync(cancellationToken);
        return entries;
    }

    private static async Task<long> ReserveAsync(DbConnection connection, DbTransaction transaction, string eventId, int count, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """
            INSERT INTO "feed_counters" ("EventId", "LastSeq") VALUES (@e, @n)
            ON CONFLICT ("EventId") DO UPDATE SET "LastSeq" = "feed_counters"."LastSeq" + excluded."LastSeq"
            RETURNING "LastSeq"
            """;
        Parameter(command, "@e").Value = eventId;
        Parameter(command, "@n").Value = (long)count;
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.FeedCounters.Where(c => c.EventId == eventId).Select(c => (long?)c.LastSeq).FirstOrDefaultAsync(cancellationToken) ?? 0;
    }

    public async Task<IReadOnlyDictionary<string, long>> GetLastSeqsAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.FeedCounters.AsNoTracking().ToDictionaryAsync(c => c.EventId, c => c.LastSeq, StringComparer.Ordinal, cancellationToken);
    }

    public async Task<IReadOnlyList<FeedEntry>> ReadAsync(string eventId, long after, int limit, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Feed.AsNoTracking()
            .Where(f => f.EventId == eventId && f.Seq > after)
            .OrderBy(f => f.Seq)
            .Take(limit)
            .ToListAsync(cancellationToken);
    }

    public async Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken)
    {
        // The counters keep each event's last seq, so purging every old message never restarts seq at 1.
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Feed.Where(f => f.At < olderThan).ExecuteDeleteAsync(cancellationToken);
    }

    private static DbParameter Parameter(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
