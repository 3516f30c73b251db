using CrowdShield.Core.Actions;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrowdShield.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The domain services. The host adds the database (an <c>IDbContextFactory&lt;CrowdShieldDb&gt;</c>)
    /// and the real-time sinks (SignalR), and binds <see cref="MapOptions"/>.
    /// </summary>
    public static IServiceCollection AddCrowdShieldCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<MapOptions>();
        services.AddOptions<AlertOptions>();
        services.AddSingleton<IFeedStore, EfFeedStore>();
        services.AddSingleton<MessageBus>();
        services.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<MessageBus>());
        services.AddSingleton<EventDirectory>();
        services.AddSingleton<LiveMap>();
        services.AddSingleton<PingWriter>();
        services.AddSingleton<PingIngest>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<CameraIngest>();
        services.AddSingleton<CameraWatch>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<EventService>();
        services.AddSingleton<ZoneHistory>();
        services.AddSingleton<Forecaster>();
        services.AddSingleton<InsightEngine>();
        services.TryAddSingleton<IRemoteRiskModel, NoRemoteRiskModel>();
        return services;
    }
}
