using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;

namespace CrowdShield.Postgres;

/// <summary>
/// Pings into PostgreSQL with binary COPY inside one transaction: one round trip for a whole group commit instead
/// of one per ping, which over a network is the difference between hundreds and tens of thousands per second.
/// </summary>
public sealed class PostgresPingStore(IDbContextFactory<CrowdShieldDb> dbFactory) : IPingStore
{
    public async Task StoreAsync(IEnumerable<IReadOnlyList<Ping>> batches, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (var import = await connection.BeginBinaryImportAsync(
            """COPY "pings" ("EventId", "Lat", "Lng", "Accuracy", "DeviceId", "UserId", "Staff", "RecordedAt", "ExpiresAt") FROM STDIN (FORMAT BINARY)""",
            cancellationToken).ConfigureAwait(false))
        {
            foreach (var pings in batches)
            {
                foreach (var ping in pings)
                {
                    await import.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(ping.EventId, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(ping.Lat, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(ping.Lng, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    if (ping.Accuracy is { } accuracy)
                    {
                        await import.WriteAsync(accuracy, NpgsqlDbType.Double, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    if (ping.DeviceId is { } device)
                    {
                        await import.WriteAsync(device, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    if (ping.UserId is { } user)
                    {
                        await import.WriteAsync(user, NpgsqlDbType.Varchar, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await import.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    await import.WriteAsync(ping.Staff, NpgsqlDbType.Boolean, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(ping.RecordedAt.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                    await import.WriteAsync(ping.ExpiresAt.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint, cancellationToken).ConfigureAwait(false);
                }
            }
            await import.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}
