using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Web.Data;

/// <summary>
/// Per-connection SQLite settings, for every connection EF opens and the ping store's own: every commit is flushed to
/// disk (FULL), so an acknowledged write survives a power cut.
/// </summary>
internal sealed class SqlitePragmas : DbConnectionInterceptor
{
    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Apply(connection);
        return Task.CompletedTask;
    }

    public static void Apply(DbConnection connection)
    {
        if (connection is SqliteConnection)
        {
            using var command = connection.CreateCommand();
            // wal_autocheckpoint=0: the commit that crosses the WAL threshold would otherwise copy the whole WAL
            // into the database while its caller waits (a second-long stall after a ping burst);
            // SqliteCheckpointService does that work in the background instead.
            command.CommandText = "PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000; PRAGMA wal_autocheckpoint=0;";
            command.ExecuteNonQuery();
        }
    }
}
