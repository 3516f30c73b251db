using CrowdShield.Core.Cameras;
using CrowdShield.Core.Events;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class CctvApi
{
    public static RouteGroupBuilder MapCctvApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/cctv").WithTags("Cameras").RequireAuthorization(ApiPolicies.SendCounts);
        group.MapPost("/objects", PostCount).RequireRateLimiting(AuthServiceExtensions.IngestRateLimit);
        return group;
    }

    /// <summary>A camera's people count (or its detected objects). Over the zone's threshold it raises an alert.</summary>
    public static async Task<Results<Accepted<CameraCountResult>, ValidationProblem, ProblemHttpResult>> PostCount(
        CameraCountRequest request, HttpContext context, CameraIngest cameras, EventDirectory events, TimeProvider time)
    {
        var errors = new ValidationErrors();
        request.Validate(errors, time.GetUtcNow());
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        if (await EventAccess.CheckAsync(context, request.EventId!, events) is { } denied)
        {
            return denied;
        }
        var result = await cameras.IngestAsync(request, context.RequestAborted);
        return result is null ? Problems.NotFound($"There is no event '{request.EventId}'.") : TypedResults.Accepted((string?)null, result);
    }
}
