using CrowdShield.Core.Actions;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record ActionView(string Id, string EventId, string Command, string? ZoneId, string? Note, string CreatedBy, DateTimeOffset CreatedAt)
{
    /// <summary>The steward who said "on it", and when.</summary>
    public string? TakenBy { get; init; }
    public DateTimeOffset? TakenAt { get; init; }

    public static ActionView Of(OperatorAction a) =>
        new(a.Id, a.EventId, a.Command, a.ZoneId, a.Note, a.CreatedBy, a.CreatedAt) { TakenBy = a.TakenBy, TakenAt = a.TakenAt };
}

public static class ActionsApi
{
    public static RouteGroupBuilder MapActionsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/actions").WithTags("Actions");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.Operate).ForOneEvent();
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Read).ForOneEvent();
        group.MapPost("/{id}/take", Take).RequireAuthorization(ApiPolicies.FileReports);
        return group;
    }

    public static async Task<Results<Created<ActionView>, ValidationProblem, ProblemHttpResult>> Create(
        ActionRequest request, HttpContext context, ActionService actions)
    {
        var action = await actions.CreateAsync(request, context.Caller(), context.RequestAborted);
        return action is null
            ? Problems.NotFound($"There is no event '{request.EventId}'.")
            : TypedResults.Created($"{ApiServiceExtensions.BasePath}/actions/{action.Id}", ActionView.Of(action));
    }

    public static async Task<Results<Ok<IReadOnlyList<ActionView>>, ProblemHttpResult, ValidationProblem>> List(
        string? eventId, int? limit, HttpContext context, ActionService actions)
    {
        var list = await actions.ListAsync(eventId!, ApiServiceExtensions.Page(limit), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<ActionView>>([.. list.Select(ActionView.Of)]);
    }

    /// <summary>"On it": the signed-in steward (or operator) takes the action.</summary>
    public static async Task<Results<Ok<ActionView>, ProblemHttpResult>> Take(string id, HttpContext context, ActionService actions)
    {
        var action = await actions.TakeAsync(id, context.Caller(), context.RequestAborted);
        return action is null ? Problems.NotFound($"There is no action '{id}'.") : TypedResults.Ok(ActionView.Of(action));
    }
}
