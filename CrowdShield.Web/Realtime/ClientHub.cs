using System.Collections.Concurrent;
using System.Security.Claims;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;

namespace CrowdShield.Web.Realtime;

/// <summary>
/// The SignalR endpoint for devices, scripts and outside dashboards. Server-to-client only: each connection
/// joins the group of the one event it asked for (?eventId=), after <see cref="HubAccessMiddleware"/>
/// checked over plain HTTP that the caller may read it, so a refusal is a real 403 rather than a dropped socket.
/// Devices only send: they are refused like on every REST read. Every open connection stays subject to the
/// caller's authority (<see cref="HubAuthorityMonitor"/>).
/// </summary>
[Authorize(Policy = ApiPolicies.Read)]
public sealed class ClientHub(HubConnections connections) : Hub
{
    public static string GroupOf(string eventId) => $"event:{eventId}";

    public override async Task OnConnectedAsync()
    {
        var http = Context.GetHttpContext();
        var eventId = http?.Request.Query["eventId"].ToString();
        // The middleware already checked this; checking again keeps the hub safe if it is ever mapped elsewhere.
        if (http is null || string.IsNullOrEmpty(eventId) || http.FindCaller() is not { } caller || !caller.MayRead(eventId))
        {
            Context.Abort();
            return;
        }
        connections.Add(Context, eventId);
        await Groups.AddToGroupAsync(Context.ConnectionId, GroupOf(eventId));
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}

/// <summary>The open hub connections of this node, with who opened them for which event.</summary>
public sealed class HubConnections
{
    private readonly ConcurrentDictionary<string, Open> _open = new(StringComparer.Ordinal);

    public int Count => _open.Count;

    public IEnumerable<Open> All => _open.Values;

    public void Add(HubCallerContext context, string eventId) => _open[context.ConnectionId] = new Open(context, eventId, context.User ?? new ClaimsPrincipal());

    public void Remove(string connectionId) => _open.TryRemove(connectionId, out _);

    public sealed record Open(HubCallerContext Context, string EventId, ClaimsPrincipal User);
}

/// <summary>Refuses, with a problem+json status, hub requests for an event the caller may not read.</summary>
internal sealed class HubAccessMiddleware(RequestDelegate next)
{
    public async Task InvokeAsync(HttpContext context, Core.Events.EventDirectory events)
    {
        if (context.User.Identity?.IsAuthenticated != true || context.FindCaller() is null)
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
        var caller = context.Caller();
        if (!caller.MayRead(eventId))
        {
            await Problems.WriteAsync(context, StatusCodes.Status403Forbidden, "Forbidden",
                caller.Role == Core.Users.Roles.Device ? "A device only sends; it does not receive the stream." : $"You are not a member of event '{eventId}'.");
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
