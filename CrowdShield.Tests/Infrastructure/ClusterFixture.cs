namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// A cluster as it would be deployed: PostgreSQL, Redis and two CrowdShield nodes, each its own process on a free
/// loopback port, sharing the database, the backplane and the signing key. Leases lapse in 3 s so failover tests
/// are quick.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public AppNode A { get; private set; } = default!;
    public AppNode B { get; private set; } = default!;
    public string DatabaseConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var postgres = await ExternalServers.PostgresAsync();
        var redis = await ExternalServers.RedisAsync();
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
            ["Cluster:LeaseTtl"] = "00:00:03",
            ["Ai:Interval"] = "00:00:01",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        A = new AppNode("A", settings);
        B = new AppNode("B", settings);
        // Both at once: the start-up lock must make them take turns at migrating and seeding.
        await Task.WhenAll(A.StartAsync(), B.StartAsync());
    }

    public async Task DisposeAsync()
    {
        await A.DisposeAsync();
        await B.DisposeAsync();
    }
}
