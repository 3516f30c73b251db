using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record ZoneView(string Id, string Name, IReadOnlyList<GeoPoint> Polygon, double? AreaM2, int? Capacity, int AlertThreshold, double? GateWidthM)
{
    public static ZoneView Of(Core.Zones.Zone z) => new(z.Id, z.Name, z.Polygon, z.AreaM2, z.Capacity, z.AlertThreshold, z.GateWidthM);
}

public sealed record EventView(string Id, string Name, GeoPoint Center, IReadOnlyList<ZoneView> Zones, string TimeZone, int? Capacity, DateTimeOffset CreatedAt)
{
    public static EventView Of(Event e) => new(e.Id, e.Name, new GeoPoint(e.CenterLat, e.CenterLng),
        [.. e.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(ZoneView.Of)], e.TimeZone, e.Capacity, e.CreatedAt);
}

public sealed record FeedItem(long Seq, string Type, RawJson Payload, DateTimeOffset At);

public sealed record FeedPage(IReadOnlyList<FeedItem> Items, long LastSeq);

public static class EventsApi
{
    public const int MaxFeedPage = 1000;

    public static RouteGroupBuilder MapEventsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/events").WithTags("Events");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Read);
        group.MapGet("/{eventId}", Get).RequireAuthorization(ApiPolicies.Read);
        group.MapPatch("/{eventId}", Patch).RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/{eventId}/feed", Feed).RequireAuthorization(ApiPolicies.Read);
        return group;
    }

    public static async Task<Results<Created<EventView>, ValidationProblem>> Create(
        EventRequest request, HttpContext context, EventService events, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var created = await events.CreateAsync(request, context.Caller(), cancellationToken);
        return TypedResults.Created($"{ApiServiceExtensions.BasePath}/events/{created.Id}", EventView.Of(created));
    }

    public static async Task<Ok<IReadOnlyList<EventView>>> List(HttpContext context, EventService events) =>
        TypedResults.Ok<IReadOnlyList<EventView>>([.. (await events.ListAsync(context.Caller(), context.RequestAborted)).Select(EventView.Of)]);

    public static async Task<Results<Ok<EventView>, ProblemHttpResult>> Get(string eventId, HttpContext context, EventService events)
    {
        var found = await events.GetAsync(eventId, context.Caller(), context.RequestAborted);
        return found is null ? Problems.NotFound($"There is no event '{eventId}'.") : TypedResults.Ok(EventView.Of(found));
    }

    /// <summary>Changes any of name, centre, time zone (IANA) and licensed capacity; broadcast as venue:updated.</summary>
    public static async Task<Results<Ok<EventView>, ValidationProblem, ProblemHttpResult>> Patch(
        string eventId, EventPatch patch, HttpContext context, EventService events)
    {
        var errors = new ValidationErrors();
        patch.Validate(errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var changed = await events.PatchAsync(eventId, patch, context.Caller(), context.RequestAborted);
        return changed is null ? Problems.NotFound($"There is no event '{eventId}'.") : TypedResults.Ok(EventView.Of(changed));
    }

    /// <summary>Every real-time message of the event after <paramref name="after"/>, oldest first: polling and catch-up.</summary>
    public static async Task<Results<Ok<FeedPage>, ProblemHttpResult, ValidationProblem>> Feed(
        string eventId, long? after, int? limit, HttpContext context, EventDirectory events, IFeedStore feed)
    {
        if (after is < 0)
        {
            return Problems.Invalid("after", "'after' must be 0 or more.");
        }
        if (limit is < 1 or > MaxFeedPage)
        {
            return Problems.Invalid("limit", $"'limit' must be in [1, {MaxFeedPage}].");
        }
        if (!context.Caller().CanSee(eventId) || await events.FindAsync(eventId, context.RequestAborted) is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        var entries = await feed.ReadAsync(eventId, after ?? 0, limit ?? 500, context.RequestAborted);
        var items = entries.Select(e => new FeedItem(e.Seq, e.Type, new RawJson(e.Payload), e.At)).ToList();
        var lastSeq = items.Count > 0 ? items[^1].Seq : after ?? 0;
        return TypedResults.Ok(new FeedPage(items, lastSeq));
    }
}
