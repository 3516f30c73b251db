using System.Globalization;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Events;
using CrowdShield.Core.Log;
using CrowdShield.Core.Notifications;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using CrowdShield.Web.Log;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record RoutingTableRequest(IReadOnlyList<RoutingRuleInput>? Rules);

public sealed record NotificationView(
    long Id, string? AlertId, string Channel, string Target, string Kind, string Status, int Attempts, DateTimeOffset CreatedAt, DateTimeOffset? SentAt,
    DateTimeOffset NextAttemptAt, string? LastError)
{
    public static NotificationView Of(Notification n) =>
        new(n.Id, n.AlertId, n.Channel, n.Target, n.Kind, n.Status, n.Attempts, n.CreatedAt, n.SentAt, n.NextAttemptAt, n.LastError);
}

/// <summary>The shift log's export, the routing table of notifications and the deliveries that failed.</summary>
public static class LogApi
{
    public static readonly IReadOnlyList<string> Formats = ["csv", "pdf"];
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(8);

    public static RouteGroupBuilder MapLogApi(this RouteGroupBuilder api)
    {
        var events = api.MapGroup("/events/{eventId}").WithTags("Shift log and notifications").ForOneEvent();
        events.MapGet("/export", Export).RequireAuthorization(ApiPolicies.Operate)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "text/csv", "application/pdf").ProducesValidationProblem();
        events.MapGet("/routing", Routing).RequireAuthorization(ApiPolicies.Operate);
        events.MapPut("/routing", ReplaceRouting).RequireAuthorization(ApiPolicies.Admin);
        events.MapGet("/notifications", Notifications).RequireAuthorization(ApiPolicies.Operate);
        api.MapPost("/notifications/{id:long}/retry", Retry).RequireAuthorization(ApiPolicies.Admin).WithTags("Shift log and notifications");
        return api;
    }

    /// <summary>The same export for the log page's download buttons, authorized by the browser's cookie.</summary>
    public static WebApplication MapShiftLogDownloads(this WebApplication app)
    {
        app.MapGet("/events/{eventId}/log/export", Export).RequireAuthorization(PageAccess.Log).ForOneEvent().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The shift log of [from, to] (default: the last 8 hours) as CSV or PDF, optionally of one zone or some kinds;
    /// audited, since it leaves the system.
    /// </summary>
    public static async Task<IResult> Export(
        string eventId, DateTimeOffset? from, DateTimeOffset? to, string? format, string? zoneId, string? kind, HttpContext context, ShiftLog log,
        AuditLog audit, TimeProvider time)
    {
        format ??= "csv";
        if (!Formats.Contains(format))
        {
            return Problems.Invalid("format", $"'format' must be one of {string.Join(", ", Formats)}.");
        }
        var kinds = kind?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
        if (kinds?.FirstOrDefault(k => !ShiftLogKinds.All.Contains(k)) is { } unknown)
        {
            return Problems.Invalid("kind", $"'{unknown}' is not a kind of the log: {string.Join(", ", ShiftLogKinds.All)}.");
        }
        var end = to ?? time.GetUtcNow();
        var start = from ?? end - DefaultWindow;
        var caller = context.Caller();
        var data = await log.ReadAsync(eventId, start, end, new ShiftLogFilter(kinds, zoneId), caller, context.RequestAborted);
        if (data is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        await audit.RecordAsync(caller, AuditActions.Exported, $"event:{eventId}",
            string.Create(CultureInfo.InvariantCulture, $"shift log {start:u} to {end:u} as {format}, {data.Entries.Count} lines"), eventId, CancellationToken.None);
        var name = string.Create(CultureInfo.InvariantCulture, $"shift-log-{eventId}-{data.Event.VenueTime(start):yyyyMMdd-HHmm}-{data.Event.VenueTime(end):yyyyMMdd-HHmm}");
        return format == "pdf"
            ? TypedResults.File(ShiftLogPdf.Write(data), "application/pdf", name + ".pdf")
            : TypedResults.File(ShiftLogCsv.Write(data), "text/csv; charset=utf-8", name + ".csv");
    }

    public static async Task<Ok<IReadOnlyList<RoutingRuleView>>> Routing(string eventId, HttpContext context, RoutingTable routing) =>
        TypedResults.Ok<IReadOnlyList<RoutingRuleView>>([.. (await routing.ListAsync(eventId, context.RequestAborted)).Select(RoutingRuleView.Of)]);

    /// <summary>Replaces the event's routing table (an empty list clears it); audited.</summary>
    public static async Task<Ok<IReadOnlyList<RoutingRuleView>>> ReplaceRouting(
        string eventId, RoutingTableRequest request, HttpContext context, EventDirectory events, RoutingTable routing)
    {
        var definition = (await events.FindAsync(eventId, context.RequestAborted))!;
        var rules = await routing.ReplaceAsync(definition, request.Rules, context.Caller(), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<RoutingRuleView>>([.. rules.Select(RoutingRuleView.Of)]);
    }

    /// <summary>The event's recent deliveries, newest first; <c>status=dead</c> for those that kept failing.</summary>
    public static async Task<Results<Ok<IReadOnlyList<NotificationView>>, ProblemHttpResult, ValidationProblem>> Notifications(
        string eventId, string? status, int? limit, HttpContext context, NotificationOutbox outbox)
    {
        if (status is not null && status is not (NotificationStatus.Pending or NotificationStatus.Sent or NotificationStatus.Dead))
        {
            return Problems.Invalid("status", "'status' must be one of pending, sent, dead.");
        }
        var list = await outbox.ListAsync(eventId, status, ApiServiceExtensions.Page(limit, 200), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<NotificationView>>([.. list.Select(NotificationView.Of)]);
    }

    /// <summary>Sends a dead delivery again, from its first attempt.</summary>
    public static async Task<Results<Ok<NotificationView>, ProblemHttpResult>> Retry(long id, HttpContext context, NotificationOutbox outbox)
    {
        var notification = await outbox.RetryAsync(id, context.RequestAborted);
        if (notification is null || !context.Caller().CanSee(notification.EventId))
        {
            return Problems.NotFound($"There is no delivery {id}.");
        }
        return TypedResults.Ok(NotificationView.Of(notification));
    }
}
