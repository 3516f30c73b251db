using System.Text.Json;
using CrowdShield.Core.Counters;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Validation;
using CrowdShield.Core.Zones;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record OccupancyRequest(int? Occupancy);

/// <summary>
/// An event's zones, edited live: one at a time or all at once as GeoJSON. Every change is broadcast as
/// venue:updated and every page redraws. Also the zones' counters and occupancy.
/// </summary>
public static class ZonesApi
{
    public static RouteGroupBuilder MapZonesApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/events/{eventId}").WithTags("Zones");
        group.MapPost("/zones", Create).RequireAuthorization(ApiPolicies.Admin);
        group.MapPut("/zones/{zoneId}", Replace).RequireAuthorization(ApiPolicies.Admin);
        group.MapDelete("/zones/{zoneId}", Delete).RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/zones.geojson", GetGeoJson).RequireAuthorization(ApiPolicies.Read);
        group.MapPut("/zones.geojson", PutGeoJson).RequireAuthorization(ApiPolicies.Admin);
        group.MapPut("/zones/{zoneId}/occupancy", Recalibrate).RequireAuthorization(ApiPolicies.Operate);
        group.MapGet("/counters", Counters).RequireAuthorization(ApiPolicies.Read);
        return group;
    }

    public static async Task<Results<Created<ZoneView>, ValidationProblem, ProblemHttpResult>> Create(
        string eventId, ZoneRequest request, HttpContext context, EventService events)
    {
        var errors = new ValidationErrors();
        request.Validate(errors, "");
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, zone) = await events.CreateZoneAsync(eventId, request, context.Caller(), context.RequestAborted);
        return outcome switch
        {
            ZoneChangeOutcome.EventNotFound => Problems.NotFound($"There is no event '{eventId}'."),
            ZoneChangeOutcome.DuplicateId => Problems.Conflict($"Event '{eventId}' already has a zone '{request.Id}'."),
            _ => TypedResults.Created($"{ApiServiceExtensions.BasePath}/events/{eventId}/zones/{zone!.Id}", ZoneView.Of(zone)),
        };
    }

    /// <summary>The whole zone: what the body leaves out goes back to its default. The id is the path's.</summary>
    public static async Task<Results<Ok<ZoneView>, ValidationProblem, ProblemHttpResult>> Replace(
        string eventId, string zoneId, ZoneRequest request, HttpContext context, EventService events)
    {
        var errors = new ValidationErrors();
        request.Validate(errors, "");
        if (request.Id is not null && request.Id != zoneId)
        {
            errors.Add("id", "'id' must be the zone id of the path (or left out); to rename a zone's id, create a new zone.");
        }
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, zone) = await events.ReplaceZoneAsync(eventId, zoneId, request, context.Caller(), context.RequestAborted);
        return outcome switch
        {
            ZoneChangeOutcome.EventNotFound => Problems.NotFound($"There is no event '{eventId}'."),
            ZoneChangeOutcome.ZoneNotFound => Problems.NotFound($"Event '{eventId}' has no zone '{zoneId}'."),
            _ => TypedResults.Ok(ZoneView.Of(zone!)),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string eventId, string zoneId, HttpContext context, EventService events) =>
        await events.DeleteZoneAsync(eventId, zoneId, context.Caller(), context.RequestAborted) switch
        {
            ZoneChangeOutcome.EventNotFound => Problems.NotFound($"There is no event '{eventId}'."),
            ZoneChangeOutcome.ZoneNotFound => Problems.NotFound($"Event '{eventId}' has no zone '{zoneId}'."),
            _ => TypedResults.NoContent(),
        };

    /// <summary>The zones as an RFC 7946 FeatureCollection ([lng, lat], closed rings).</summary>
    public static async Task<Results<ContentHttpResult, ProblemHttpResult>> GetGeoJson(string eventId, HttpContext context, EventService events)
    {
        var found = await events.GetAsync(eventId, context.Caller(), context.RequestAborted);
        return found is null
            ? Problems.NotFound($"There is no event '{eventId}'.")
            : TypedResults.Text(ZoneGeoJson.Write(found).ToJsonString(), "application/geo+json");
    }

    /// <summary>Replaces the event's zones with the FeatureCollection's (matched by properties.id); answers with the zones.</summary>
    public static async Task<Results<Ok<IReadOnlyList<ZoneView>>, ValidationProblem, ProblemHttpResult>> PutGeoJson(
        string eventId, JsonElement body, HttpContext context, EventService events)
    {
        var errors = new ValidationErrors();
        var zones = ZoneGeoJson.Read(body, errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var updated = await events.ReplaceZonesAsync(eventId, zones, context.Caller(), context.RequestAborted);
        return updated is null
            ? Problems.NotFound($"There is no event '{eventId}'.")
            : TypedResults.Ok<IReadOnlyList<ZoneView>>([.. updated.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(ZoneView.Of)]);
    }

    /// <summary>An operator's head count: the zone's occupancy is set to it and counting goes on from there (audited).</summary>
    public static async Task<Results<Ok<CrossingResult>, ValidationProblem, ProblemHttpResult>> Recalibrate(
        string eventId, string zoneId, OccupancyRequest request, HttpContext context, CrossingIngest crossings)
    {
        if (request.Occupancy is not (>= 0 and <= 10_000_000))
        {
            return Problems.Invalid("occupancy", "'occupancy' must be the head count, an integer in [0, 10000000].");
        }
        var result = await crossings.RecalibrateAsync(eventId, zoneId, request.Occupancy.Value, context.Caller(), context.RequestAborted);
        return result is null ? Problems.NotFound($"Event '{eventId}' has no zone '{zoneId}'.") : TypedResults.Ok(result);
    }

    /// <summary>Each people counter's inflow and outflow per minute over the last 5 minutes.</summary>
    public static async Task<Results<Ok<IReadOnlyList<CounterFlow>>, ProblemHttpResult>> Counters(
        string eventId, HttpContext context, EventDirectory events, LiveMap map)
    {
        if (!context.Caller().CanSee(eventId) || await events.FindAsync(eventId, context.RequestAborted) is null)
        {
            return Problems.NotFound($"There is no event '{eventId}'.");
        }
        return TypedResults.Ok(await map.CountersAsync(eventId, context.RequestAborted));
    }
}
