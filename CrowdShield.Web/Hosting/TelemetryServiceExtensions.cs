using CrowdShield.Core.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace CrowdShield.Web.Hosting;

public static class TelemetryServiceExtensions
{
    /// <summary>The standard variable (or setting) naming the OTLP collector; without it nothing is collected.</summary>
    public const string EndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>
    /// OpenTelemetry metrics and traces, exported over OTLP — only when an endpoint is configured, so a laptop demo
    /// pays nothing for it. Metrics: ASP.NET Core, outgoing HTTP (webhooks, the remote model), the runtime (GC,
    /// thread pool, locks) and CrowdShield's own meter. Traces: requests, outgoing calls and our group commits.
    /// The exporter reads the other OTEL_* variables (protocol, headers, service name) as usual.
    /// </summary>
    public static IHostApplicationBuilder AddCrowdShieldTelemetry(this IHostApplicationBuilder builder)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration[EndpointSetting]))
        {
            return builder;
        }
        builder.Services.AddOpenTelemetry()
            // Each process gets its own service.instance.id (generated), so two nodes on one machine stay apart.
            .ConfigureResource(resource => resource.AddService("crowdshield"))
            .WithMetrics(metrics => metrics
                .AddMeter(CrowdShieldMetrics.MeterName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .WithTracing(tracing => tracing
                .AddSource(CrowdShieldMetrics.MeterName)
                // Probes and the live connections would drown the requests that matter.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsNoise(context.Request.Path))
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return builder;
    }

    private static bool IsNoise(PathString path) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments("/_blazor") || path.StartsWithSegments("/_framework");
}
