using System.Collections.Concurrent;
using System.Data.Common;
using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Core.Cluster;

/// <summary>
/// Periodic work runs once per cluster: whoever holds a piece of work's lease in the database does it, renews it
/// every second, and when a node dies its leases expire and a surviving node takes them over. One node alone
/// simply holds every lease. The database decides (an upsert that only succeeds on a free or own lease), so two
/// nodes can never both believe they hold one; the local expiry is kept a renewal short of the stored one.
/// </summary>
public sealed class WorkLeases(IDbContextFactory<CrowdShieldDb> dbFactory, ClusterNode node, IOptions<ClusterOptions> options, WriteTurns turns, TimeProvider time)
{
    public const string Retention = "retention";
    public const string Demo = "demo";
    /// <summary>Sending the outbox: one node sends, so a message is not delivered twice by two nodes.</summary>
    public const string Notifications = "notifications";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _held = new(StringComparer.Ordinal);
    // Leases another node holds: not asked for again until they could have expired.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _othersUntil = new(StringComparer.Ordinal);

    public static string ForEvent(string eventId) => $"event:{eventId}";

    /// <summary>Whether this node holds <paramref name="name"/> now (no database round trip).</summary>
    public bool Holds(string name) => _held.TryGetValue(name, out var until) && until > time.GetUtcNow();

    /// <summary>The leases this node holds now.</summary>
    public IReadOnlyList<string> Held => [.. _held.Where(h => h.Value > time.GetUtcNow()).Select(h => h.Key)];

    /// <summary>Holds <paramref name="name"/>, taking it if it is free; false while another node holds it.</summary>
    public async ValueTask<bool> EnsureAsync(string name, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (Holds(name))
        {
            return true;
        }
        if (_othersUntil.TryGetValue(name, out var until) && until > now)
        {
            return false;
        }
        var ttl = options.Value.LeaseTtl;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Through EF, for the app's connection settings; wanting the write lock lets a renewal in during a ping flood.
        using var turn = turns.Want();
        await db.Database.OpenConnectionAsync(cancellationToken);
        var connection = db.Database.GetDbConnection();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO "leases" ("Name", "Holder", "ExpiresAt") VALUES (@name, @holder, @expires)
            ON CONFLICT ("Name") DO UPDATE SET "Holder" = excluded."Holder", "ExpiresAt" = excluded."ExpiresAt"
            WHERE "leases"."Holder" = excluded."Holder" OR "leases"."ExpiresAt" < @now
            RETURNING "Holder"
            """;
        Add(command, "@name", name);
        Add(command, "@holder", node.Id);
        Add(command, "@expires", (now + ttl).ToUnixTimeMilliseconds());
        Add(command, "@now", now.ToUnixTimeMilliseconds());
        var acquired = await command.ExecuteScalarAsync(cancellationToken) is string holder && holder == node.Id;
        if (acquired)
        {
            _held[name] = now + ttl - options.Value.RenewEvery;
            _othersUntil.TryRemove(name, out _);
        }
        else
        {
            _othersUntil[name] = now + options.Value.RenewEvery;
        }
        return acquired;
    }

    /// <summary>Extends every lease this node holds; a lease lost meanwhile (this node was too slow) is dropped.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var ttl = options.Value.LeaseTtl;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Leases.Where(l => l.Holder == node.Id).ExecuteUpdateAsync(s => s.SetProperty(l => l.ExpiresAt, now + ttl), cancellationToken);
        var names = await db.Leases.AsNoTracking().Where(l => l.Holder == node.Id).Select(l => l.Name).ToListAsync(cancellationToken);
        var still = names.ToHashSet(StringComparer.Ordinal);
        foreach (var name in _held.Keys.Where(n => !still.Contains(n)))
        {
            _held.TryRemove(name, out _);
        }
        foreach (var name in names)
        {
            _held[name] = now + ttl - options.Value.RenewEvery;
        }
    }

    /// <summary>Gives every lease back at shutdown, so a surviving node takes the work over at once.</summary>
    public async Task ReleaseAllAsync(CancellationToken cancellationToken = default)
    {
        _held.Clear();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Leases.Where(l => l.Holder == node.Id).ExecuteDeleteAsync(cancellationToken);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
