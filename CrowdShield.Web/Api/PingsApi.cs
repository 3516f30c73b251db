using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record PingsAccepted(int Accepted);

public static class PingsApi
{
    public static RouteGroupBuilder MapPingsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/pings").WithTags("Pings").RequireAuthorization(ApiPolicies.SendPings);
        group.MapPost("/", Post).RequireRateLimiting(AuthServiceExtensions.IngestRateLimit);
        return group;
    }

    /// <summary>One ping or a batch (up to 1,000). 202 only once every ping of the request is durably stored.</summary>
    public static async Task<Results<Accepted<PingsAccepted>, ValidationProblem, ProblemHttpResult>> Post(
        PingRequest request, HttpContext context, PingIngest ingest, EventDirectory events, TimeProvider time)
    {
        var errors = new ValidationErrors();
        var pings = request.Validate(errors, time.GetUtcNow());
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        if (await EventScope.CheckAsync(context, request.EventId!, events) is { } denied)
        {
            return denied;
        }
        var accepted = await ingest.IngestAsync(request.EventId!, context.Caller(), pings, context.RequestAborted);
        return accepted is null ? Problems.NotFound($"There is no event '{request.EventId}'.") : TypedResults.Accepted((string?)null, new PingsAccepted(accepted.Value));
    }
}
