using CrowdShield.Core.Audit;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record AuditItem(long Id, DateTimeOffset At, string Actor, string Action, string Target, string? EventId, string Details)
{
    public static AuditItem Of(AuditEntry e) => new(e.Id, e.At, e.Actor, e.Action, e.Target, e.EventId, e.Details);
}

/// <summary>A page of the audit log; <see cref="Last"/> is the <c>after</c> of the next page.</summary>
public sealed record AuditPage(IReadOnlyList<AuditItem> Items, long Last);

public static class AuditApi
{
    public const int MaxPage = 1000;

    public static RouteGroupBuilder MapAuditApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(ApiPolicies.Admin);
        group.MapGet("/", List);
        return group;
    }

    /// <summary>Audit entries after the id <paramref name="after"/>, oldest first, optionally of one event.</summary>
    public static async Task<Results<Ok<AuditPage>, ValidationProblem>> List(string? eventId, long? after, int? limit, AuditLog audit, CancellationToken cancellationToken)
    {
        if (after is < 0)
        {
            return Problems.Invalid("after", "'after' must be 0 or more.");
        }
        if (limit is < 1 or > MaxPage)
        {
            return Problems.Invalid("limit", $"'limit' must be in [1, {MaxPage}].");
        }
        var entries = await audit.ReadAsync(new AuditQuery(after ?? 0, limit ?? 100, eventId), cancellationToken);
        return TypedResults.Ok(new AuditPage([.. entries.Select(AuditItem.Of)], entries.Count > 0 ? entries[^1].Id : after ?? 0));
    }
}
