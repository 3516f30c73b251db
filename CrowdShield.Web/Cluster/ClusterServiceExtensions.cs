using CrowdShield.Core.Cluster;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace CrowdShield.Web.Cluster;

public static class ClusterServiceExtensions
{
    /// <summary>
    /// With ConnectionStrings:Redis, nodes share real-time fan-out, live map state and cache invalidations through
    /// Redis; without it this node is alone. Either way periodic work is leased (one node alone holds every lease).
    /// </summary>
    public static IHostApplicationBuilder AddCrowdShieldCluster(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<ClusterOptions>(builder.Configuration.GetSection("Cluster"));
        builder.Services.AddHostedService<LeaseKeeper>();
        var redis = builder.Configuration.GetConnectionString("Redis");
        if (string.IsNullOrWhiteSpace(redis))
        {
            return builder;
        }
        var options = ConfigurationOptions.Parse(redis);
        // Start and keep running without Redis: a node serves its own clients and catches up when Redis returns.
        options.AbortOnConnectFail = false;
        options.ClientName ??= "crowdshield";
        builder.Services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(options));
        builder.Services.AddSingleton<IBackplane, RedisBackplane>();
        builder.Services.AddHealthChecks().AddCheck<RedisHealthCheck>("redis", HealthStatus.Degraded, tags: [HealthTags.Ready]);
        return builder;
    }
}

/// <summary>Redis answers a PING: without it this node's clients see only this node's messages at once, the rest a second late.</summary>
internal sealed class RedisHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected.");
        }
        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(TimeSpan.FromSeconds(2), cancellationToken);
            return HealthCheckResult.Healthy($"Redis answered in {latency.TotalMilliseconds:0.#} ms.");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer.", ex);
        }
    }
}

public static class HealthTags
{
    /// <summary>Checks a load balancer should act on: the node cannot serve what it should (database, Redis).</summary>
    public const string Ready = "ready";
}
