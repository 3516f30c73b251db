using CrowdShield.Web.Http;
using CrowdShield.Web.Realtime;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Scalar.AspNetCore;

namespace CrowdShield.Web.Api;

public static class ApiServiceExtensions
{
    public const string BasePath = "/api/v1";

    public static IHostApplicationBuilder AddCrowdShieldApi(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddProblemDetails();
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Unreadable bodies throw so the exception handler can name the field, in every environment.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.Configure<JsonOptions>(options => options.SerializerOptions.AllowTrailingCommas = false);
        services.AddOpenApi(options =>
        {
            var bearer = new BearerSecurityTransformer();
            options.AddDocumentTransformer(bearer);
            options.AddOperationTransformer(bearer);
        });
        services.AddCors(options => options.AddDefaultPolicy(policy =>
        {
            var origins = builder.Configuration["FrontendOrigin"]?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
            if (origins.Length > 0)
            {
                policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().AllowCredentials();
            }
        }));
        services.Configure<KestrelServerOptions>(kestrel =>
            kestrel.Limits.MaxRequestBodySize = builder.Configuration.GetValue<long?>("Api:MaxBodyBytes") ?? 1_048_576);
        return builder;
    }

    public static WebApplication MapCrowdShieldApi(this WebApplication app)
    {
        var api = app.MapGroup(BasePath);
        api.MapAuthApi();
        api.MapUsersApi();
        api.MapEventsApi();
        api.MapZonesApi();
        api.MapCctvApi();
        api.MapPingsApi();
        api.MapMapApi();
        api.MapAlertsApi();
        api.MapAiApi();
        api.MapActionsApi();
        api.MapReportsApi();
        api.MapAuditApi();
        api.MapLogApi();
        api.MapDiagnosticsApi();
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference("/api/reference", options => options.WithTitle("CrowdShield API v1")).AllowAnonymous();
        return app;
    }

    public static bool IsApiRequest(this HttpContext context) =>
        context.Request.Path.StartsWithSegments(BasePath) || context.Request.Path.StartsWithSegments(RealtimeServiceExtensions.HubPath);

    /// <summary>The client's address (the proxy's client when forwarded headers from a known proxy say so), for per-client limits and the audit log.</summary>
    public static string ClientAddress(this HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Clamps a list size to a sane page.</summary>
    public static int Page(int? limit, int fallback = 100, int max = 1000) => Math.Clamp(limit ?? fallback, 1, max);
}
