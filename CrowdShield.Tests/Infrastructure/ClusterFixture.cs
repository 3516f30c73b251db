namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// A cluster as it would be deployed: PostgreSQL, Redis and two CrowdShield nodes, each its own process on a free
/// loopback port, sharing the database, the backplane and the signing key. Leases lapse in 3 s so failover tests
/// are quick.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    public AppNode A { get; private set; } = default!;
    public AppNode B { get; private set; } = default!;
    public string DatabaseConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var (postgres, redis) = await ServersAsync();
        DatabaseConnectionString = await postgres.CreateDatabaseAsync();
        var settings = new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:CrowdShield"] = DatabaseConnectionString,
            ["ConnectionStrings:Redis"] = redis.ConnectionString,
            ["Jwt:SigningKey"] = AppFixture.SigningKey,
            ["Bootstrap:AdminEmail"] = AppFixture.AdminEmail,
            ["Bootstrap:AdminPassword"] = AppFixture.AdminPassword,
            ["Demo:Enabled"] = "false",
            ["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N")),
            ["RateLimits:Login:PerClient"] = "100000",
            ["RateLimits:Login:PerAccount"] = "100000",
            ["RateLimits:Ingest:PerUser"] = "100000",
            ["Cluster:LeaseTtl"] = "00:00:03",
            ["Ai:Interval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:Console:TimestampFormat"] = "HH:mm:ss.fff ",
        };
        A = new AppNode("A", settings);
        B = new AppNode("B", settings);
        // Both at once: the start-up lock must make them take turns at migrating and seeding.
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
    }

    /// <summary>The test run's shared servers; a fixture whose tests stop them brings its own.</summary>
    protected virtual async Task<(PostgresServer, RedisServer)> ServersAsync() => (await ExternalServers.PostgresAsync(), await ExternalServers.RedisAsync());

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}

/// <summary>A cluster on a PostgreSQL and a Redis of its own, which its tests stop and start.</summary>
public sealed class ClusterWithOwnServersFixture : ClusterFixture
{
    public PostgresServer Postgres { get; private set; } = default!;
    public RedisServer Redis { get; private set; } = default!;

    protected override async Task<(PostgresServer, RedisServer)> ServersAsync()
    {
        (Postgres, Redis) = (await PostgresServer.StartAsync(), await RedisServer.StartAsync());
        return (Postgres, Redis);
    }
}
