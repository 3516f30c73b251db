using CrowdShield.Core.Realtime;
using CrowdShield.Web.Auth;

namespace CrowdShield.Web.Realtime;

public static class RealtimeServiceExtensions
{
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
        app.MapHub<ClientHub>(AuthServiceExtensions.HubPath, options => options.CloseOnAuthenticationExpiration = true);
        return app;
    }
}
