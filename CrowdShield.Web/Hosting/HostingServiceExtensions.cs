using CrowdShield.Core;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Map;
using CrowdShield.Web.Intelligence;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Data;

namespace CrowdShield.Web.Hosting;

public static class HostingServiceExtensions
{
    /// <summary>Core's services with their configuration, and the background work that keeps them live.</summary>
    public static IHostApplicationBuilder AddCrowdShieldCore(this IHostApplicationBuilder builder)
    {
        builder.Services.AddCrowdShieldCore();
        builder.Services.Configure<MapOptions>(builder.Configuration.GetSection("Map"));
        builder.Services.Configure<AlertOptions>(builder.Configuration.GetSection("Alerts"));
        builder.AddCrowdShieldIntelligence();
        builder.Services.AddHostedService<IntelligenceService>();
        builder.Services.Configure<RetentionOptions>(builder.Configuration.GetSection("Retention"));
        builder.Services.AddHostedService<MapFlushService>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        return builder;
    }

    /// <summary>Migrates the database and makes sure the configured bootstrap admin can sign in.</summary>
    public static async Task PrepareCrowdShieldAsync(this WebApplication app)
    {
        await app.MigrateCrowdShieldDatabaseAsync();
        var email = app.Configuration["Bootstrap:AdminEmail"];
        var password = app.Configuration["Bootstrap:AdminPassword"];
        if (!string.IsNullOrEmpty(email) && !string.IsNullOrEmpty(password))
        {
            await app.Services.GetRequiredService<UserAccounts>().EnsureUserAsync(email, password, "Administrator", Core.Users.Roles.Admin, []);
        }
    }
}
