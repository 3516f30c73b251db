using CrowdShield.Core.Realtime;

namespace CrowdShield.Web.Realtime;

public static class RealtimeServiceExtensions
{
    /// <summary>Where outside clients (devices, scripts, dashboards) connect to the event stream.</summary>
    public const string HubPath = "/hubs/events";

    public static IHostApplicationBuilder AddCrowdShieldRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<IRealtimeSink, SignalRSink>();
        builder.Services.AddSingleton<HubConnections>();
        builder.Services.AddHostedService<HubAuthorityMonitor>();
        return builder;
    }

    public static WebApplication MapCrowdShieldRealtime(this WebApplication app)
    {
        // A connection ends when its token expires, not only when its socket does.
        app.MapHub<ClientHub>(HubPath, options => options.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
