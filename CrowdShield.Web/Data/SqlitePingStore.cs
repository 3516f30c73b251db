using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using SQLitePCL;

namespace CrowdShield.Web.Data;

/// <summary>
/// SQLite's group commit of pings: prepared multi-row INSERTs stepped through SQLite's own API, in one transaction.
/// Microsoft.Data.Sqlite looks every parameter up by name and converts its name to UTF-8 on each execution, which
/// was a tenth of the server's CPU under batched ingest; here the values are bound by position. Each statement
/// stores up to <see cref="RowsPerStatement"/> pings, because SQLite pays per statement execution (starting the
/// program, opening cursors, the AUTOINCREMENT counter's read and write): per ping, that was most of the insert.
/// </summary>
/// <remarks>
/// One writer (<see cref="PingWriter"/>) commits, so the store keeps its own connection and its prepared statements
/// from one commit to the next. Taking a pooled DbContext, opening its connection with the app's pragmas and
/// preparing the statements for every commit was a tenth of the server's CPU under single-ping ingest, where a commit
/// holds a handful of pings. A commit that fails closes the connection: the next one starts on a fresh one.
/// Back to back on a kept connection, commits would leave other writers no moment to take SQLite's write lock, so each
/// one first lets a writer that wants the lock go (<see cref="WriteTurns"/>).
/// </remarks>
public sealed class SqlitePingStore(IDbContextFactory<CrowdShieldDb> dbFactory, WriteTurns turns) : IPingStore, IDisposable
{
    /// <summary>9 values a row: 64 rows stay far below SQLite's 32,766 bound parameters.</summary>
    internal const int RowsPerStatement = 64;

    private const int Columns = 9;
    private static readonly string InsertOne = Insert(1);
    private static readonly string InsertMany = Insert(RowsPerStatement);

    private readonly Lock _gate = new();
    private Writer? _writer;
    private bool _disposed;

    private static string Insert(int rows) =>
        """INSERT INTO "pings" ("EventId", "Lat", "Lng", "Accuracy", "DeviceId", "UserId", "Staff", "RecordedAt", "ExpiresAt") VALUES """ +
        string.Join(", ", Enumerable.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?)", rows));

    /// <remarks>Synchronous under the Task, as Microsoft.Data.Sqlite is under its async API.</remarks>
    public Task StoreAsync(IEnumerable<IReadOnlyList<Ping>> batches, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var writer = _writer ??= Writer.Open(dbFactory);
            turns.LetOthersFirst();
            try
            {
                writer.Store(batches);
            }
            catch
            {
                // The transaction is rolled back; whatever went wrong (a refused row, a full disk, a file that went
                // away), the next commit should not inherit this connection's state.
                writer.Dispose();
                _writer = null;
                throw;
            }
        }
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _writer?.Dispose();
            _writer = null;
        }
    }

    /// <summary>The store's connection and the two statements prepared on it.</summary>
    private sealed class Writer(SqliteConnection connection) : IDisposable
    {
        private sqlite3_stmt? _many;
        private sqlite3_stmt? _one;

        public static Writer Open(IDbContextFactory<CrowdShieldDb> dbFactory)
        {
            string connectionString;
            using (var db = dbFactory.CreateDbContext())
            {
                connectionString = db.Database.GetConnectionString()
                    ?? throw new InvalidOperationException("The SQLite database has no connection string.");
            }
            var connection = new SqliteConnection(connectionString);
            try
            {
                connection.Open();
                // The same settings every connection of the app gets (synchronous=FULL: acknowledged means on disk).
                SqlitePragmas.Apply(connection);
                return new Writer(connection);
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }

        public void Store(IEnumerable<IReadOnlyList<Ping>> batches)
        {
            using var transaction = connection.BeginTransaction();
            var rows = new Ping[RowsPerStatement];
            var count = 0;
            foreach (var ping in batches.SelectMany(pings => pings))
            {
                rows[count++] = ping;
                if (count == RowsPerStatement)
                {
                    Execute(connection, _many ??= Prepare(connection, InsertMany), rows);
                    count = 0;
                }
            }
            // The rest, fewer than a full statement, one row each: a statement per remainder size would be prepared
            // for one commit and thrown away.
            for (var i = 0; i < count; i++)
            {
                Execute(connection, _one ??= Prepare(connection, InsertOne), rows.AsSpan(i, 1));
            }
            transaction.Commit();
        }

        public void Dispose()
        {
            // Statements first: SQLite does not really close a connection that still has statements.
            _many?.Dispose();
            _one?.Dispose();
            connection.Dispose();
        }
    }

    private static sqlite3_stmt Prepare(SqliteConnection connection, string sql)
    {
        Check(connection, raw.sqlite3_prepare_v2(connection.Handle, sql, out var statement));
        return statement;
    }

    private static void Execute(SqliteConnection connection, sqlite3_stmt statement, ReadOnlySpan<Ping> rows)
    {
        for (var row = 0; row < rows.Length; row++)
        {
            var ping = rows[row];
            var first = row * Columns + 1;
            raw.sqlite3_bind_text(statement, first, ping.EventId);
            raw.sqlite3_bind_double(statement, first + 1, ping.Lat);
            raw.sqlite3_bind_double(statement, first + 2, ping.Lng);
            BindOptional(statement, first + 3, ping.Accuracy);
            BindOptional(statement, first + 4, ping.DeviceId);
            BindOptional(statement, first + 5, ping.UserId);
            raw.sqlite3_bind_int(statement, first + 6, ping.Staff ? 1 : 0);
            // The same representation as the model's DateTimeOffset convention (UTC Unix milliseconds).
            raw.sqlite3_bind_int64(statement, first + 7, ping.RecordedAt.ToUnixTimeMilliseconds());
            raw.sqlite3_bind_int64(statement, first + 8, ping.ExpiresAt.ToUnixTimeMilliseconds());
        }
        var done = raw.sqlite3_step(statement);
        raw.sqlite3_reset(statement);
        if (done != raw.SQLITE_DONE)
        {
            Check(connection, done);
        }
    }

    private static void BindOptional(sqlite3_stmt statement, int index, double? value) =>
        _ = value is { } v ? raw.sqlite3_bind_double(statement, index, v) : raw.sqlite3_bind_null(statement, index);

    private static void BindOptional(sqlite3_stmt statement, int index, string? value) =>
        _ = value is null ? raw.sqlite3_bind_null(statement, index) : raw.sqlite3_bind_text(statement, index, value);

    private static void Check(SqliteConnection connection, int result)
    {
        if (result is not (raw.SQLITE_OK or raw.SQLITE_DONE))
        {
            // The same exception Microsoft.Data.Sqlite throws, so callers (and the storage-unavailable mapping) see no difference.
            throw new SqliteException(raw.sqlite3_errmsg(connection.Handle).utf8_to_string(), result, raw.sqlite3_extended_errcode(connection.Handle));
        }
    }
}
