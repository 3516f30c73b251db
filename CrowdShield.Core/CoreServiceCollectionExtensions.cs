using CrowdShield.Core.Actions;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Cameras;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Data;
using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Log;
using CrowdShield.Core.Map;
using CrowdShield.Core.Notifications;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace CrowdShield.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>
    /// The domain services. The host adds the database (an <c>IDbContextFactory&lt;CrowdShieldDb&gt;</c>)
    /// the real-time sinks (SignalR) and, for a cluster, a shared <see cref="IBackplane"/>; it binds the options.
    /// </summary>
    public static IServiceCollection AddCrowdShieldCore(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<CrowdShieldMetrics>();
        services.AddOptions<MapOptions>();
        services.AddOptions<AlertOptions>();
        services.AddOptions<ClusterOptions>();
        services.AddOptions<NotificationOptions>();
        // One node alone unless the host registers a shared backplane (Redis) first.
        services.TryAddSingleton<IBackplane, LocalBackplane>();
        services.AddSingleton<ClusterNode>();
        services.AddSingleton<CacheInvalidation>();
        services.AddSingleton<WorkLeases>();
        services.AddSingleton<WriteTurns>();
        services.AddSingleton<IFeedStore, EfFeedStore>();
        services.AddSingleton<MessageBus>();
        services.AddSingleton<IMessageBus>(sp => sp.GetRequiredService<MessageBus>());
        services.AddSingleton<EventDirectory>();
        services.AddSingleton<LiveMap>();
        services.TryAddSingleton<IPingStore, SqlPingStore>();
        services.AddSingleton<PingWriter>();
        services.AddSingleton<PingIngest>();
        services.AddSingleton<NotificationOutbox>();
        services.AddSingleton<RoutingTable>();
        services.AddSingleton<AlertService>();
        services.AddSingleton<ForecastWatch>();
        services.AddSingleton<CameraIngest>();
        services.AddSingleton<CameraWatch>();
        services.AddSingleton<CrossingIngest>();
        services.AddSingleton<AxisPeopleCounter>();
        services.AddSingleton<ActionService>();
        services.AddSingleton<ReportService>();
        services.AddSingleton<EventService>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<ZoneHistory>();
        services.AddSingleton<ShiftLog>();
        services.AddSingleton<Forecaster>();
        services.AddSingleton<InsightEngine>();
        services.AddSingleton<IntelligencePublisher>();
        services.AddSingleton<Retention>();
        services.TryAddSingleton<IRemoteRiskModel, NoRemoteRiskModel>();
        return services;
    }
}
