using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Audit;

/// <summary>Writes and reads the audit log.</summary>
public sealed class AuditLog(IDbContextFactory<CrowdShieldDb> dbFactory, TimeProvider time)
{
    public const string System = "system";

    public Task RecordAsync(Caller? actor, string action, string target, string details, string? eventId = null, CancellationToken cancellationToken = default) =>
        RecordAsync(actor?.Email ?? System, actor?.UserId, action, target, details, eventId, cancellationToken);

    public async Task RecordAsync(string actor, string? actorId, string action, string target, string details, string? eventId = null,
        CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Audit.Add(new AuditEntry
        {
            At = time.GetUtcNow(), Actor = Truncate(actor, 254), ActorId = actorId, Action = action, Target = Truncate(target, 300),
            EventId = eventId, Details = Truncate(details, 4000),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Entries after the query's entry id, oldest first, optionally of one event, actor, action or time window.</summary>
    public async Task<IReadOnlyList<AuditEntry>> ReadAsync(AuditQuery query, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var entries = db.Audit.AsNoTracking().Where(e => e.Id > query.After);
        if (query.EventId is { } eventId)
        {
            entries = entries.Where(e => e.EventId == eventId);
        }
        if (query.Action is { } action)
        {
            entries = entries.Where(e => e.Action == action);
        }
        if (query.Actor is { } actor)
        {
            entries = entries.Where(e => e.Actor.Contains(actor));
        }
        if (query.From is { } from)
        {
            entries = entries.Where(e => e.At >= from);
        }
        if (query.To is { } to)
        {
            entries = entries.Where(e => e.At < to);
        }
        return await entries.OrderBy(e => e.Id).Take(query.Limit).ToListAsync(cancellationToken);
    }

    /// <summary>Removes entries older than <paramref name="olderThan"/> (the retention purge; nothing else deletes).</summary>
    public async Task<int> PurgeAsync(DateTimeOffset olderThan, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Audit.Where(e => e.At < olderThan).ExecuteDeleteAsync(cancellationToken);
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];
}

public sealed record AuditQuery(long After = 0, int Limit = 100, string? EventId = null, string? Action = null, string? Actor = null,
    DateTimeOffset? From = null, DateTimeOffset? To = null);
