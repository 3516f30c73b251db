using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Realtime;

/// <summary>The feed in the application database.</summary>
public sealed class EfFeedStore(IDbContextFactory<CrowdShieldDb> dbFactory) : IFeedStore
{
    public async Task AppendAsync(IReadOnlyList<FeedEntry> entries, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Feed.AddRange(entries);
        await db.SaveChangesAsync(cancellationToken);
    }

    public async Task<long> GetLastSeqAsync(string eventId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Feed.Where(f => f.EventId == eventId).MaxAsync(f => (long?)f.Seq, cancellationToken) ?? 0;
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
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // The newest entry of each event always stays: it carries the event's last seq across restarts,
        // so seq never starts again at 1 for a client that remembers a higher one.
        return await db.Feed
            .Where(f => f.At < olderThan && f.Seq < db.Feed.Where(g => g.EventId == f.EventId).Max(g => g.Seq))
            .ExecuteDeleteAsync(cancellationToken);
    }
}
