using CrowdShield.Web.Api;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CrowdShield.Web.Realtime;

/// <summary>
/// The SignalR endpoint for devices, scripts and outside dashboards. Server-to-client only: each connection
/// joins the group of the one event it asked for (?eventId=), after <see cref="HubAccessMiddleware"/>
/// checked membership over plain HTTP, so a refusal is a real 403 rather than a dropped socket.
/// </summary>
[Authorize(Policy = ApiPolicies.AnyUser)]
public sealed class ClientHub : Hub
{
    public static string GroupOf(string eventId) => $"event:{eventId}";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        var eventId = http?.Request.Query["eventId"].ToString();
        // The middleware already checked this; checking again keeps the hub safe if it is ever mapped elsewhere.
        if (http is null || string.IsNullOrEmpty(eventId) || http.Items[typeof(Core.Users.Caller)] is not Core.Users.Caller caller || !caller.CanSee(eventId))
        {
            Context.Abort();
            return;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(eventId));
        await base.OnConnectedAsync();
    }
}

/// <summary>Refuses, with a problem+json status, hub requests for an event the caller may not see.</summary>
internal sealed class HubAccessMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, Core.Events.EventDirectory events)
    {
        if (context.User.Identity?.IsAuthenticated != true || context.Items[typeof(Core.Users.Caller)] is null)
        {
            await next(context);
            return;
        }
        var eventId = context.Request.Query["eventId"].ToString();
        if (string.IsNullOrEmpty(eventId))
        {
            await Problems.WriteAsync(context, StatusCodes.Status400BadRequest, "eventId is required", "Connect with ?eventId=<the event to follow>.");
            return;
        }
        if (!context.Caller().CanSee(eventId))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden", $"You are not a member of event '{eventId}'.");
            return;
        }
        if (await events.FindAsync(eventId, context.RequestAborted) is null)
        {
            await Problems.WriteAsync(context, StatusCodes.Status404NotFound, "Not found", $"There is no event '{eventId}'.");
            return;
        }
        await next(context);
    }
}
