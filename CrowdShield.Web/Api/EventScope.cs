using CrowdShield.Core.Events;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

/// <summary>
/// The rule every endpoint of one event follows, in one place: a body is validated first (400 naming each field), the
/// event it names is required, and the caller must be a member (403, whether or not the event exists, so non-members
/// learn nothing) of an event that exists (404). Only then does the handler run.
/// </summary>
internal static class EventScope
{
    public const string EventIdField = "eventId";

    /// <summary>
    /// Runs the rule before the handler: the event comes from the body (an <see cref="IEventRequest"/> argument), the
    /// route (<c>{eventId}</c>) or the query (<c>?eventId=</c>), in that order.
    /// </summary>
    public static TBuilder ForOneEvent<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            string? eventId;
            if (context.Arguments.OfType<IEventRequest>().FirstOrDefault() is { } request)
            {
                var errors = new ValidationErrors();
                request.Validate(errors, http.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow());
                if (!errors.IsValid)
                {
                    return Problems.Invalid(errors);
                }
                eventId = request.EventId;
            }
            else
            {
                eventId = http.Request.RouteValues.TryGetValue(EventIdField, out var routed) && routed is string fromRoute
                    ? fromRoute
                    : http.Request.Query[EventIdField].ToString();
                if (string.IsNullOrEmpty(eventId))
                {
                    return Problems.Invalid(EventIdField, $"'{EventIdField}' is required.");
                }
            }
            return await CheckAsync(http, eventId!, http.RequestServices.GetRequiredService<EventDirectory>()) ?? await next(context);
        });
        return builder;
    }

    /// <summary>403 when the caller is not a member (whether or not the event exists), 404 when a member names an event that does not exist.</summary>
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
