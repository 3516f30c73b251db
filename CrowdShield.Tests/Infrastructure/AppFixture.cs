using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>
/// The real app on real Kestrel (127.0.0.1, a free port) with its own SQLite file in a temp folder, so
/// WebSockets and Server-Sent Events work as they do in production.
/// </summary>
public class AppFixture : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string AdminEmail = "admin@tests.local";
    public const string AdminPassword = "Admin-Passw0rd!";
    public const string SigningKey = "tests-signing-key-0123456789-abcdefghijklmnop";

    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N"));

    public Uri BaseAddress { get; private set; } = default!;

    /// <summary>Extra settings for a variant of the app (rate limits, environment).</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> Settings() => [];

    protected virtual string EnvironmentName => "Testing";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(EnvironmentName);
        // Blazor's script and MudBlazor's assets come from the build's static web assets outside Development.
        builder.UseStaticWebAssets();
        builder.UseSetting("Storage:DataDirectory", DataDirectory);
        builder.UseSetting("Jwt:SigningKey", SigningKey);
        builder.UseSetting("Bootstrap:AdminEmail", AdminEmail);
        builder.UseSetting("Bootstrap:AdminPassword", AdminPassword);
        builder.UseSetting("RateLimits:Login:PerClient", "100000");
        builder.UseSetting("RateLimits:Login:PerAccount", "100000");
        builder.UseSetting("RateLimits:Ingest:PerUser", "100000");
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        // Circuit errors carry their exception to the browser console, where browser tests collect them.
        builder.UseSetting("DetailedErrors", "true");
        foreach (var (key, value) in Settings())
        {
            builder.UseSetting(key, value);
        }
    }

    public virtual Task InitializeAsync()
    {
        UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        StartServer();
        var addresses = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        BaseAddress = new Uri(addresses.First());
        return Task.CompletedTask;
    }

    public ApiClient Api() => new(new HttpClient { BaseAddress = BaseAddress });

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a closing connection; the temp folder is cleaned by the OS.
        }
    }
}

[CollectionDefinition(Name)]
public sealed class AppCollection : ICollectionFixture<AppFixture>
{
    public const string Name = "app";
}

/// <summary>The same app on PostgreSQL (a database of its own on the test run's server), for the contract tests' second provider.</summary>
public sealed class PostgresAppFixture : AppFixture
{
    private string _connectionString = "";

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Database:Provider", "Postgres"),
        new("ConnectionStrings:CrowdShield", _connectionString),
    ];

    public override async Task InitializeAsync()
    {
        _connectionString = await (await ExternalServers.PostgresAsync()).CreateDatabaseAsync();
        await base.InitializeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresAppFixture>
{
    public const string Name = "app on postgres";
}
