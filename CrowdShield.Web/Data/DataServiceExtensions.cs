using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Postgres;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace CrowdShield.Web.Data;

/// <summary>Configuration key "Database:Provider".</summary>
public enum DatabaseProvider
{
    /// <summary>The zero-install default: one file in the data folder, one node.</summary>
    Sqlite,
    /// <summary>For a cluster: every node on the same PostgreSQL database.</summary>
    Postgres,
}

public static class DataServiceExtensions
{
    /// <summary>
    /// SQLite in the data folder by default (ConnectionStrings:CrowdShield overrides it), or PostgreSQL with
    /// Database:Provider=Postgres. The provider is chosen here and only here: each has its own migrations
    /// (SQLite's in this assembly, PostgreSQL's in CrowdShield.Postgres), Core does not know which one runs.
    /// </summary>
    public static IHostApplicationBuilder AddCrowdShieldData(this IHostApplicationBuilder builder)
    {
        var provider = ProviderOf(builder.Configuration);
        var configured = builder.Configuration.GetConnectionString("CrowdShield");
        if (provider == DatabaseProvider.Postgres)
        {
            if (string.IsNullOrWhiteSpace(configured))
            {
                throw new InvalidOperationException(
                    "Database:Provider is Postgres but ConnectionStrings:CrowdShield is empty: give an Npgsql connection string, e.g. \"Host=db;Username=crowdshield;Password=…;Database=crowdshield\".");
            }
            builder.Services.AddPooledDbContextFactory<CrowdShieldDb>(options => options
                .UseNpgsql(configured, npgsql => npgsql.MigrationsAssembly(typeof(PostgresPingStore).Assembly.GetName().Name)));
            builder.Services.AddSingleton<IPingStore, PostgresPingStore>();
            return builder;
        }

        var dataDirectory = DataDirectory(builder);
        Directory.CreateDirectory(dataDirectory);
        var connectionString = string.IsNullOrWhiteSpace(configured)
            ? $"Data Source={Path.Combine(dataDirectory, "crowdshield.db")}"
            : configured;
        builder.Services.AddPooledDbContextFactory<CrowdShieldDb>((services, options) =>
        {
            var turns = services.GetRequiredService<WriteTurns>();
            options
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsAssembly(typeof(DataServiceExtensions).Assembly.GetName().Name))
                .AddInterceptors(new SqlitePragmas(), new SaveChangesWantsTurn(turns), new NonQueriesWantTurn(turns));
        });
        builder.Services.AddSingleton<IPingStore, SqlitePingStore>();
        builder.Services.AddHostedService<SqliteCheckpointService>();
        return builder;
    }

    public static DatabaseProvider ProviderOf(IConfiguration configuration)
    {
        var value = configuration["Database:Provider"];
        if (string.IsNullOrWhiteSpace(value))
        {
            return DatabaseProvider.Sqlite;
        }
        return Enum.TryParse<DatabaseProvider>(value, ignoreCase: true, out var provider) && Enum.IsDefined(provider)
            ? provider
            : throw new InvalidOperationException($"Database:Provider '{value}' is not known: use Sqlite (the default) or Postgres.");
    }

    public static string DataDirectory(IHostApplicationBuilder builder) =>
        builder.Configuration["Storage:DataDirectory"] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, builder.Environment.ContentRootPath)
            : Path.Combine(builder.Environment.ContentRootPath, "data");

    /// <summary>
    /// Holds the cluster-wide start-up lock while <paramref name="prepare"/> runs (migrations, the bootstrap admin,
    /// the demo seed), so several nodes starting at once do it one after the other: the second finds it done.
    /// PostgreSQL: a session advisory lock. SQLite: one node, nothing to coordinate.
    /// </summary>
    public static async Task WithStartupLockAsync(this WebApplication app, Func<Task> prepare)
    {
        var factory = app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>();
        await using var db = await factory.CreateDbContextAsync();
        if (!db.Database.IsNpgsql())
        {
            await prepare();
            return;
        }
        // A connection of its own, outside the pool's reuse, that lives exactly as long as the lock.
        await using var connection = new NpgsqlConnection(db.Database.GetConnectionString());
        await connection.OpenAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection))
        {
            take.Parameters.AddWithValue("key", StartupLockKey);
            await take.ExecuteNonQueryAsync();
        }
        try
        {
            await prepare();
        }
        finally
        {
            await using var release = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            release.Parameters.AddWithValue("key", StartupLockKey);
            await release.ExecuteNonQueryAsync();
        }
    }

    // "CrowdShd" as a number: any constant works, as long as every node uses the same one.
    private const long StartupLockKey = 0x43726F7764536864;

    /// <summary>Applies migrations; on SQLite also switches the database to WAL (readers never wait for the writer).</summary>
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
}

/// <summary>
/// Lets <c>dotnet ef migrations add</c> build the model without starting the app. SQLite by default;
/// <c>-- --provider Postgres</c> for PostgreSQL's migrations (kept in CrowdShield.Postgres).
/// </summary>
internal sealed class DesignTimeDbFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<CrowdShieldDb>
{
    public CrowdShieldDb CreateDbContext(string[] args)
    {
        var options = new DbContextOptionsBuilder<CrowdShieldDb>();
        if (args.SkipWhile(a => a != "--provider").Skip(1).FirstOrDefault() is { } provider
            && provider.Equals(nameof(DatabaseProvider.Postgres), StringComparison.OrdinalIgnoreCase))
        {
            options.UseNpgsql("Host=localhost;Database=design", npgsql => npgsql.MigrationsAssembly(typeof(PostgresPingStore).Assembly.GetName().Name));
        }
        else
        {
            options.UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsAssembly(typeof(DesignTimeDbFactory).Assembly.GetName().Name));
        }
        return new CrowdShieldDb(options.Options);
    }
}
