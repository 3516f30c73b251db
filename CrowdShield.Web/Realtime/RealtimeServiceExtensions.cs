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
        builder.Services.AddSingleton<SendPathWarmUp>();
        builder.Services.AddHostedService(services => services.GetRequiredService<SendPathWarmUp>());
        return builder;
    }

    public static WebApplication MapCrowdShieldRealtime(this WebApplication app)
    {
        // A connection ends when its token expires, not only when its socket does.
        app.MapHub<ClientHub>(HubPath, options => options.CloseOnAuthenticationExpiration = true);

        // The node's own warm-up connection only: to anyone else, before, during and after the warm-up, it is not there.
        var warmUp = app.Services.GetRequiredService<SendPathWarmUp>();
        app.MapHub<WarmUpHub>(SendPathWarmUp.Path).Add(endpoint =>
        {
            var hub = endpoint.RequestDelegate!;
            endpoint.RequestDelegate = context => warmUp.Admits(context) ? hub(context) : NotFound(context);
        });
        return app;
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }
}
