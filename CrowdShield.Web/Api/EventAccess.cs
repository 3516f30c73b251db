using CrowdShield.Core.Events;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

internal static class EventAccess
{
    /// <summary>
    /// For an event named in a body or query: 403 when the caller is not a member (whether or not it exists,
    /// so non-members learn nothing), 404 when a member or admin names an event that does not exist.
    /// </summary>
    public static async Task<ProblemHttpResult?> CheckAsync(HttpContext context, string eventId, EventDirectory events)
    {
        if (!context.Caller().CanSee(eventId))
        {
            return Problems.Forbidden($"You are not a member of event '{eventId}'.");
        }
        if (await events.FindAsync(eventId, context.RequestAborted) is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        return null;
    }
}
