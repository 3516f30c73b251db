using CrowdShield.Core.Data;
using CrowdShield.Core;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Map;
using CrowdShield.Web.Intelligence;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Cluster;
using CrowdShield.Web.Data;
using CrowdShield.Web.Hosting.Demo;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrowdShield.Web.Hosting;

public static class HostingServiceExtensions
{
    /// <summary>Core's services (the domain) bound to configuration, with the background work that keeps them live.</summary>
    public static IHostApplicationBuilder AddCrowdShieldDomain(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCrowdShieldCore();
        builder.Services.AddValidatedOptions();
        builder.Services.Configure<MapOptions>(builder.Configuration.GetSection("Map"));
        builder.Services.Configure<AlertOptions>(builder.Configuration.GetSection("Alerts"));
        builder.AddCrowdShieldIntelligence();
        builder.Services.AddHostedService<IntelligenceService>();
        builder.Services.AddHostedService<CameraWatchService>();
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Retention"));
        builder.Services.AddHostedService<MapFlushService>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database", tags: [HealthTags.Ready]);
        return builder;
    }

    /// <summary>
    /// /health: every check, 200 while the database answers (Redis down is "Degraded", still 200: the node serves).
    /// /health/live: the process answers at all. /health/ready: 503 unless everything (database, Redis) answers,
    /// for a load balancer that should send clients to a node that sees the whole cluster.
    /// </summary>
    public static WebApplication MapCrowdShieldHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { ResponseWriter = HealthReportWriter.WriteAsync }).AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(HealthTags.Ready),
            ResponseWriter = HealthReportWriter.WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                [HealthStatus.Degraded] = StatusCodes.Status503ServiceUnavailable,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        }).AllowAnonymous();
        return app;
    }

    /// <summary>
    /// Migrates the database, makes sure the configured bootstrap admin can sign in, creates the first Data
    /// Protection key and seeds the demo, under the cluster's start-up lock: nodes starting together take turns.
    /// Then, outside the lock, warms up the report path (<see cref="HotPathWarmUp"/>) before the node listens.
    /// </summary>
    public static async Task PrepareCrowdShieldAsync(this WebApplication app)
    {
        await app.WithStartupLockAsync(() => PrepareDataAsync(app));
        await HotPathWarmUp.RunAsync(app.Services, app.Logger);
    }

    private static async Task PrepareDataAsync(WebApplication app)
    {
        await app.MigrateCrowdShieldDatabaseAsync();
        var email = app.Configuration["Bootstrap:AdminEmail"];
        var password = app.Configuration["Bootstrap:AdminPassword"];
        if (!string.IsNullOrEmpty(email) && !string.IsNullOrEmpty(password))
        {
            await app.Services.GetRequiredService<UserAccounts>().EnsureUserAsync(email, password, "Administrator", Core.Users.Roles.Admin, []);
        }
        // Loads the key ring now, creating its first key if there is none: one node creates it, the others find it.
        app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("CrowdShield.Startup").Protect("ready");
        if (app.Services.GetService<DemoSeeder>() is { } demo)
        {
            await demo.SeedAsync(CancellationToken.None);
        }
    }
}
