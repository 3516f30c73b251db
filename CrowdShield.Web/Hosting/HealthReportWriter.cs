using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CrowdShield.Web.Hosting;

/// <summary>The health report as JSON: the overall status and each check's, so an operator sees which part is missing.</summary>
internal static class HealthReportWriter
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
