using CrowdShield.Core.Alerts;
using CrowdShield.Core.Events;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record AlertView(
    string Id, string EventId, string? ZoneId, string? CameraId, string Type, string Message, string Severity, string Status,
    DateTimeOffset CreatedAt, DateTimeOffset? AcknowledgedAt, string? AcknowledgedBy, DateTimeOffset? ResolvedAt, string? ResolvedBy,
    DateTimeOffset? RecoveredAt)
{
    public static AlertView Of(Alert a) => new(a.Id, a.EventId, a.ZoneId, a.CameraId, a.Type, a.Message, a.Severity, a.Status,
        a.CreatedAt, a.AcknowledgedAt, a.AcknowledgedBy, a.ResolvedAt, a.ResolvedBy, a.RecoveredAt);
}

public static class AlertsApi
{
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/alerts").WithTags("Alerts");
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Read);
        group.MapPost("/{id}/acknowledge", Acknowledge).RequireAuthorization(ApiPolicies.Operate);
        group.MapPost("/{id}/resolve", Resolve).RequireAuthorization(ApiPolicies.Operate);
        return group;
    }

    /// <summary>An event's alerts, newest first, optionally of one status.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AlertView>>, ProblemHttpResult, ValidationProblem>> List(
        string? eventId, string? status, int? limit, HttpContext context, EventDirectory events, AlertService alerts)
    {
        if (string.IsNullOrEmpty(eventId))
        {
            return Problems.Invalid("eventId", "'eventId' is required.");
        }
        if (status is not null && !AlertStatus.All.Contains(status))
        {
            return Problems.Invalid("status", $"'status' must be one of {string.Join(", ", AlertStatus.All)}.");
        }
        if (await EventAccess.CheckAsync(context, eventId, events) is { } denied)
        {
            return denied;
        }
        var list = await alerts.ListAsync(eventId, status, ApiServiceExtensions.Page(limit, 200), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<AlertView>>([.. list.Select(AlertView.Of)]);
    }

    public static async Task<Results<Ok<AlertView>, ProblemHttpResult>> Acknowledge(string id, HttpContext context, AlertService alerts) =>
        Respond(await alerts.AcknowledgeAsync(id, context.Caller(), context.RequestAborted), id);

    public static async Task<Results<Ok<AlertView>, ProblemHttpResult>> Resolve(string id, HttpContext context, AlertService alerts) =>
        Respond(await alerts.ResolveAsync(id, context.Caller(), context.RequestAborted), id);

    private static Results<Ok<AlertView>, ProblemHttpResult> Respond(AlertChange change, string id) => change.Outcome switch
    {
        AlertChangeOutcome.NotFound => Problems.NotFound($"There is no alert '{id}'."),
        AlertChangeOutcome.Conflict => Problems.Conflict(change.Reason!),
        AlertChangeOutcome.Forbidden => Problems.Forbidden(change.Reason!),
        _ => TypedResults.Ok(AlertView.Of(change.Alert!)),
    };
}
