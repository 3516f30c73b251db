using CrowdShield.Core.Realtime;
using CrowdShield.Web.Auth;

namespace CrowdShield.Web.Realtime;

public static class RealtimeServiceExtensions
{
    public static IHostApplicationBuilder AddCrowdShieldRealtime(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSignalR();
        builder.Services.AddSingleton<IRealtimeSink, SignalRSink>();
        return builder;
    }

    public static WebApplication MapCrowdShieldRealtime(this WebApplication app)
    {
        app.MapHub<ClientHub>(AuthServiceExtensions.HubPath);
        return app;
    }
}
