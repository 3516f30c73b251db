using CrowdShield.Core.Map;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class MapApi
{
    public static RouteGroupBuilder MapMapApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/map").WithTags("Map").RequireAuthorization(ApiPolicies.Read).ForOneEvent();
        group.MapGet("/", Snapshot);
        return group;
    }

    /// <summary>The live map of an event: unexpired pings, the density grid and each zone's occupancy.</summary>
    public static async Task<Results<Ok<MapSnapshot>, ProblemHttpResult, ValidationProblem>> Snapshot(
        string? eventId, HttpContext context, LiveMap map)
    {
        var snapshot = await map.SnapshotAsync(eventId!, context.RequestAborted);
        return snapshot is null ? Problems.NotFound($"There is no event '{eventId}'.") : TypedResults.Ok(snapshot);
    }
}
