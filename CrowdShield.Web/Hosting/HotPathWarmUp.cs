using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using CrowdShield.Core;
using CrowdShield.Core.Data;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using CrowdShield.Web.Api;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// Pays the one-time costs of the report path before the node listens. On a fresh process the first report took
/// 90–210 ms against 5–15 ms for the next ones (docs/benchmarks.md, "Cold start, fourth session"): EF Core builds its insert pipeline
/// for the entity on first use, System.Text.Json its contracts for the request, response and realtime payload. A node
/// that takes over after a failover would otherwise make its first reports wait for that, on a busy core. Nothing is
/// stored: the insert is rolled back.
/// </summary>
internal static class HotPathWarmUp
{
    /// <summary>
    /// Past the 30 calls after which the runtime optimises a method: one round only compiled the path, and its methods
    /// were then re-compiled under the first load, on the same core. Forty rounds add ~30 ms to the start.
    /// </summary>
    private const int Rounds = 40;

    public static async Task RunAsync(IServiceProvider services, ILogger logger, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            for (var round = 0; round < Rounds; round++)
            {
                await WarmUpAsync(services, cancellationToken);
            }
            logger.LogInformation("Report path warmed up in {Milliseconds:N0} ms", Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a head start: the node serves without it, and a database that refuses writes shows in /health.
            logger.LogWarning(ex, "Warming up the report path failed; the first reports will pay its one-time costs");
        }
    }

    private static async Task WarmUpAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var report = SampleReport(DateTimeOffset.UtcNow);
        var dbFactory = services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>();
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            db.Reports.Add(report);
            await db.SaveChangesAsync(cancellationToken);
            await transaction.RollbackAsync(cancellationToken);
        }

        // The request as the API binds it, the response as it writes it, the payload as subscribers get it.
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var request = JsonSerializer.Deserialize<ReportRequest>(JsonSerializer.SerializeToUtf8Bytes(
            new ReportRequest("warm-up", report.Message, report.Type, 51.5, -0.1, null), json), json)!;
        request.Validate(new Core.Validation.ValidationErrors());
        JsonSerializer.SerializeToUtf8Bytes(ReportView.Of(report), json);
        RealtimeJson.Compose(report.EventId, 1, ReportService.ToPayload(report), new ArrayBufferWriter<byte>());
    }

    /// <summary>A report as the warm-ups use it: of no real event, shaped like a real one (a position, no zone).</summary>
    internal static Report SampleReport(DateTimeOffset createdAt) => new()
    {
        Id = Ids.New(), EventId = "warm-up", Message = "warm-up", Type = ReportTypes.All.First(),
        CreatedBy = "warm-up", CreatedAt = createdAt, Lat = 51.5072, Lng = -0.1276,
    };
}
