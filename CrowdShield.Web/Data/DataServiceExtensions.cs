using System.Data.Common;
using CrowdShield.Core.Data;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace CrowdShield.Web.Data;

public static class DataServiceExtensions
{
    /// <summary>
    /// SQLite in the data folder by default (ConnectionStrings:CrowdShield overrides it). The provider is chosen
    /// here and only here: PostgreSQL is a second branch and a migrations assembly, not a change to Core.
    /// </summary>
    public static IHostApplicationBuilder AddCrowdShieldData(this IHostApplicationBuilder builder)
    {
        var dataDirectory = DataDirectory(builder);
        Directory.CreateDirectory(dataDirectory);
        var configured = builder.Configuration.GetConnectionString("CrowdShield");
        var connectionString = string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(dataDirectory, "crowdshield.db")}"
            : configured;
        builder.Services.AddPooledDbContextFactory<CrowdShieldDb>(options => options
            .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(DataServiceExtensions).Assembly.GetName().Name))
            .AddInterceptors(new SqlitePragmas()));
        if (connectionString.Contains("Data Source", StringComparison.OrdinalIgnoreCase))
        {
            builder.Services.AddHostedService<SqliteCheckpointService>();
        }
        return builder;
    }

    public static string DataDirectory(IHostApplicationBuilder builder) =>
        builder.Configuration["Storage:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "data");

    /// <summary>Applies migrations and switches the database to WAL (readers never wait for the writer).</summary>
    public static async Task MigrateCrowdShieldDatabaseAsync(this WebApplication app)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>();
        await using var db = await factory.CreateDbContextAsync();
        await db.Database.MigrateAsync();
        if (db.Database.IsSqlite())
        {
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        }
    }

    /// <summary>Per-connection SQLite settings: every commit is flushed to disk (FULL), so an acknowledged write survives a power cut.</summary>
    private sealed class SqlitePragmas : DbConnectionInterceptor
    {
        public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Apply(connection);

        public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            Apply(connection);
            return Task.CompletedTask;
        }

        private static void Apply(DbConnection connection)
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
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the app.</summary>
internal sealed class DesignTimeDbFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<CrowdShieldDb>
{
    public CrowdShieldDb CreateDbContext(string[] args) => new(new DbContextOptionsBuilder<CrowdShieldDb>()
        .UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsAssembly(typeof(DesignTimeDbFactory).Assembly.GetName().Name))
        .Options);
}
