using System.Data.Common;
using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Map;

/// <summary>Writes one group commit of pings: everything given, in one transaction, or nothing.</summary>
public interface IPingStore
{
    Task StoreAsync(IEnumerable<IReadOnlyList<Ping>> batches, CancellationToken cancellationToken);
}

/// <summary>
/// A prepared INSERT executed per ping inside one transaction: provider-neutral SQL, no change tracking on the
/// hot path. Core's default for any provider; the app replaces it with each database's fastest way
/// (SQLite's own API with positional binding in Web's SqlitePingStore, PostgreSQL's binary COPY).
/// </summary>
public sealed class SqlPingStore(IDbContextFactory<CrowdShieldDb> dbFactory) : IPingStore
{
    public async Task StoreAsync(IEnumerable<IReadOnlyList<Ping>> batches, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        // Opened through EF so that the connection gets what the app's interceptors set on it (SQLite's pragmas).
        await db.Database.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """INSERT INTO "pings" ("EventId", "Lat", "Lng", "Accuracy", "DeviceId", "UserId", "Staff", "RecordedAt", "ExpiresAt") VALUES (@e, @lat, @lng, @acc, @dev, @user, @staff, @rec, @exp)""";
        var eventId = Add(command, "@e");
        var lat = Add(command, "@lat");
        var lng = Add(command, "@lng");
        var accuracy = Add(command, "@acc");
        var device = Add(command, "@dev");
        var user = Add(command, "@user");
        var staff = Add(command, "@staff");
        var recorded = Add(command, "@rec");
        var expires = Add(command, "@exp");
        await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
        foreach (var pings in batches)
        {
            foreach (var ping in pings)
            {
                eventId.Value = ping.EventId;
                lat.Value = ping.Lat;
                lng.Value = ping.Lng;
                accuracy.Value = (object?)ping.Accuracy ?? DBNull.Value;
                device.Value = (object?)ping.DeviceId ?? DBNull.Value;
                user.Value = (object?)ping.UserId ?? DBNull.Value;
                staff.Value = ping.Staff;
                // The same representation as the model's DateTimeOffset convention (UTC Unix milliseconds).
                recorded.Value = ping.RecordedAt.ToUnixTimeMilliseconds();
                expires.Value = ping.ExpiresAt.ToUnixTimeMilliseconds();
                await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private static DbParameter Add(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }
}
