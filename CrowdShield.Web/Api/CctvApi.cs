using CrowdShield.Core.Cameras;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Events;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class CctvApi
{
    public static RouteGroupBuilder MapCctvApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cctv").WithTags("Cameras").RequireAuthorization(ApiPolicies.SendCounts).ForOneEvent();
        group.MapPost("/objects", PostCount).RequireRateLimiting(AuthServiceExtensions.IngestRateLimit);
        group.MapPost("/crossings", PostCrossing).RequireRateLimiting(AuthServiceExtensions.IngestRateLimit);
        group.MapPost("/axis", PostAxis).RequireRateLimiting(AuthServiceExtensions.IngestRateLimit);
        return group;
    }

    /// <summary>A camera's people count (or its detected objects). Over the zone's threshold it raises an alert.</summary>
    public static async Task<Results<Accepted<CameraCountResult>, ValidationProblem, ProblemHttpResult>> PostCount(
        CameraCountRequest request, HttpContext context, CameraIngest cameras)
    {
        var result = await cameras.IngestAsync(request, context.RequestAborted);
        return result is null ? Problems.NotFound($"There is no event '{request.EventId}'.") : TypedResults.Accepted((string?)null, result);
    }

    /// <summary>A line-crossing counter's people in and out of a zone since its previous message; answers the zone's occupancy.</summary>
    public static async Task<Results<Accepted<CrossingResult>, ValidationProblem, ProblemHttpResult>> PostCrossing(
        CrossingRequest request, HttpContext context, CrossingIngest crossings)
    {
        var result = await crossings.IngestAsync(request, context.RequestAborted);
        return result is null ? Problems.NotFound($"There is no event '{request.EventId}'.") : TypedResults.Accepted((string?)null, result);
    }

    /// <summary>
    /// An Axis People Counter's own JSON ({serial, name, timestamp, in, out} with totals since its reset), posted as it
    /// comes: point the counter's HTTP recipient at /api/v1/cctv/axis?eventId=…&amp;zoneId=… (docs/api.md).
    /// </summary>
    public static async Task<Results<Accepted<CrossingResult>, ValidationProblem, ProblemHttpResult>> PostAxis(
        string? eventId, string? zoneId, AxisCount count, HttpContext context, AxisPeopleCounter axis, EventDirectory events)
    {
        var errors = new ValidationErrors();
        errors.Required("eventId", eventId, 64);
        errors.Required("zoneId", zoneId, 64);
        count.Validate(errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        if ((await events.FindAsync(eventId!, context.RequestAborted))?.FindZone(zoneId!) is null)
        {
            return Problems.Invalid("zoneId", $"Event {eventId} has no zone '{zoneId}'.");
        }
        var result = await axis.IngestAsync(eventId!, zoneId!, count, context.RequestAborted);
        return result is null ? Problems.NotFound($"There is no event '{eventId}'.") : TypedResults.Accepted((string?)null, result);
    }
}
