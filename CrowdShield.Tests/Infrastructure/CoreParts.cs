using System.Diagnostics.Metrics;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Notifications;
using CrowdShield.Core.Realtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using CrowdShieldDb = CrowdShield.Core.Data.CrowdShieldDb;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>Core's services wired by hand for Core tests, one node unless a test passes a backplane of its own.</summary>
internal static class CoreParts
{
    public static EventDirectory Events(IDbContextFactory<CrowdShieldDb> db, IBackplane? backplane = null) =>
        new(db, new CacheInvalidation(backplane ?? new LocalBackplane()));

    public static MessageBus Bus(IFeedStore feed, TimeProvider time, IBackplane? backplane = null, IEnumerable<IRealtimeSink>? sinks = null) =>
        new(feed, sinks ?? [], backplane ?? new LocalBackplane(), Options.Create(new ClusterOptions()), time, Metrics(), NullLogger<MessageBus>.Instance);

    public static MessageBus Bus(IDbContextFactory<CrowdShieldDb> db, TimeProvider time, IBackplane? backplane = null) =>
        Bus(new EfFeedStore(db, new WriteTurns()), time, backplane);

    /// <summary>Instruments on a meter factory of their own: what one test records is not mixed with another's.</summary>
    public static CrowdShieldMetrics Metrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    /// <summary>The alert service on the real database and bus, with its audit log and outbox.</summary>
    public static AlertService Alerts(IDbContextFactory<CrowdShieldDb> db, IMessageBus bus, TimeProvider time, AlertOptions? options = null) =>
        new(db, bus, new AuditLog(db, time), Outbox(db, time), Options.Create(options ?? new AlertOptions()), Options.Create(new MapOptions()), Metrics(), time);

    public static NotificationOutbox Outbox(IDbContextFactory<CrowdShieldDb> db, TimeProvider time, NotificationOptions? options = null) =>
        new(db, Events(db), Options.Create(options ?? new NotificationOptions()), time);

    public static LiveMap Map(IDbContextFactory<CrowdShieldDb> db, TimeProvider time, MapOptions? options = null, IBackplane? backplane = null)
    {
        backplane ??= new LocalBackplane();
        var invalidation = new CacheInvalidation(backplane);
        return new LiveMap(db, new EventDirectory(db, invalidation), Options.Create(options ?? new MapOptions()), time, backplane, invalidation,
            NullLogger<LiveMap>.Instance);
    }
}
