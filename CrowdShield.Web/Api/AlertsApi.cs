using CrowdShield.Core.Alerts;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record CommentRequest(string? Text);

public sealed record AssignRequest(string? UserId);

public static class AlertsApi
{
    public static RouteGroupBuilder MapAlertsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/alerts").WithTags("Alerts");
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Read).ForOneEvent();
        group.MapPost("/{id}/acknowledge", Acknowledge).RequireAuthorization(ApiPolicies.Operate);
        group.MapPost("/{id}/resolve", Resolve).RequireAuthorization(ApiPolicies.Operate);
        group.MapPost("/{id}/comments", Comment).RequireAuthorization(ApiPolicies.Operate);
        group.MapPost("/{id}/assign", Assign).RequireAuthorization(ApiPolicies.Operate);
        return group;
    }

    /// <summary>An event's alerts, newest first, optionally of one status.</summary>
    public static async Task<Results<Ok<IReadOnlyList<AlertView>>, ProblemHttpResult, ValidationProblem>> List(
        string? eventId, string? status, int? limit, HttpContext context, AlertService alerts)
    {
        if (status is not null && !AlertStatus.All.Contains(status))
        {
            return Problems.Invalid("status", $"'status' must be one of {string.Join(", ", AlertStatus.All)}.");
        }
        var list = await alerts.ListAsync(eventId!, status, ApiServiceExtensions.Page(limit, 200), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<AlertView>>([.. list.Select(AlertView.Of)]);
    }

    public static async Task<Results<Ok<AlertView>, ProblemHttpResult>> Acknowledge(string id, HttpContext context, AlertService alerts) =>
        Respond(await alerts.AcknowledgeAsync(id, context.Caller(), context.RequestAborted), id);

    public static async Task<Results<Ok<AlertView>, ProblemHttpResult>> Resolve(string id, HttpContext context, AlertService alerts) =>
        Respond(await alerts.ResolveAsync(id, context.Caller(), context.RequestAborted), id);

    /// <summary>A note for the shift log; every screen gets the alert again with its comments.</summary>
    public static async Task<Results<Created<CommentView>, ProblemHttpResult, ValidationProblem>> Comment(
        string id, CommentRequest request, HttpContext context, AlertService alerts)
    {
        var errors = new ValidationErrors();
        errors.Required("text", request.Text, AlertComment.MaxLength);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, comment, _) = await alerts.CommentAsync(id, request.Text!, context.Caller(), context.RequestAborted);
        return outcome switch
        {
            AlertChangeOutcome.NotFound => Problems.NotFound($"There is no alert '{id}'."),
            AlertChangeOutcome.Forbidden => Problems.Forbidden("Only operators and admins of the event may comment on its alerts."),
            _ => TypedResults.Created($"{ApiServiceExtensions.BasePath}/alerts/{id}", CommentView.Of(comment!)),
        };
    }

    /// <summary>Gives the alert to a user who can see its event.</summary>
    public static async Task<Results<Ok<AlertView>, ProblemHttpResult, ValidationProblem>> Assign(
        string id, AssignRequest request, HttpContext context, AlertService alerts)
    {
        var errors = new ValidationErrors();
        errors.Required("userId", request.UserId, 64);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var change = await alerts.AssignAsync(id, request.UserId!, context.Caller(), context.RequestAborted);
        return change.Outcome switch
        {
            AlertChangeOutcome.NotFound => Problems.NotFound($"There is no alert '{id}'."),
            AlertChangeOutcome.Forbidden => Problems.Forbidden(change.Reason!),
            _ => TypedResults.Ok(AlertView.Of(change.Alert!)),
        };
    }

    private static Results<Ok<AlertView>, ProblemHttpResult> Respond(AlertChange change, string id) => change.Outcome switch
    {
        AlertChangeOutcome.NotFound => Problems.NotFound($"There is no alert '{id}'."),
        AlertChangeOutcome.Conflict => Problems.Conflict(change.Reason!),
        AlertChangeOutcome.Forbidden => Problems.Forbidden(change.Reason!),
        _ => TypedResults.Ok(AlertView.Of(change.Alert!)),
    };
}
