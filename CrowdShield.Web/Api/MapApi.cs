using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class MapApi
{
    public static RouteGroupBuilder MapMapApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/map").WithTags("Map").RequireAuthorization(ApiPolicies.Read);
        group.MapGet("/", Snapshot);
        return group;
    }

    /// <summary>The live map of an event: unexpired pings, the density grid and each zone's occupancy.</summary>
    public static async Task<Results<Ok<MapSnapshot>, ProblemHttpResult, ValidationProblem>> Snapshot(
        string? eventId, HttpContext context, LiveMap map, EventDirectory events)
    {
        if (string.IsNullOrEmpty(eventId))
        {
            return Problems.Invalid("eventId", "'eventId' is required.");
        }
        if (await EventAccess.CheckAsync(context, eventId, events) is { } denied)
        {
            return denied;
        }
        var snapshot = await map.SnapshotAsync(eventId, context.RequestAborted);
        return snapshot is null ? Problems.NotFound($"There is no event '{eventId}'.") : TypedResults.Ok(snapshot);
    }
}
