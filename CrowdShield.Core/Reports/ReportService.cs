using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Reports;

public sealed record ReportRequest(string? EventId, string? Message, string? Type, double? Lat, double? Lng, string? ZoneId) : IEventRequest
{
    void IEventRequest.Validate(ValidationErrors errors, DateTimeOffset now) => Validate(errors);

    public void Validate(ValidationErrors errors)
    {
        errors.Required("eventId", EventId, 64);
        errors.Required("message", Message, 2000);
        errors.OneOf("type", Type, ReportTypes.All);
        errors.Lat("lat", Lat, required: Lng is not null);
        errors.Lng("lng", Lng, required: Lat is not null);
        errors.Optional("zoneId", ZoneId, 64);
    }
}

/// <summary>Incident reports from the field.</summary>
public sealed class ReportService(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, IMessageBus bus, TimeProvider time)
{
    public async Task<Report?> CreateAsync(ReportRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(request.EventId!, cancellationToken);
        if (definition is null || !caller.CanSee(definition.Id))
        {
            return null;
        }
        if (!caller.MayReport(definition.Id))
        {
            throw new ForbiddenException($"A {caller.Role} may not file reports.");
        }
        var zoneId = request.ZoneId;
        if (zoneId is not null && definition.FindZone(zoneId) is null)
        {
            throw ValidationException.For("zoneId", $"Event {definition.Id} has no zone '{zoneId}'.");
        }
        // A report with a position but no zone is placed in the zone that contains it, so operators see where.
        if (zoneId is null && request.Lat is { } lat && request.Lng is { } lng)
        {
            // The most specific zone: a report from the pit of an arena is about the pit.
            zoneId = definition.ZonesAt(lat, lng).MinBy(z => z.AreaM2 ?? double.MaxValue)?.Id;
        }
        var report = new Report
        {
            Id = Ids.New(), EventId = definition.Id, Message = request.Message!.Trim(), Type = request.Type!,
            Lat = request.Lat, Lng = request.Lng, ZoneId = zoneId, CreatedBy = caller.Email, CreatedAt = time.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Reports.Add(report);
        await db.SaveChangesAsync(cancellationToken);
        await bus.PublishAsync(definition.Id, MessageTypes.ReportNew, ToPayload(report), CancellationToken.None);
        return report;
    }

    public async Task<IReadOnlyList<Report>> ListAsync(string eventId, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Reports.AsNoTracking().Where(r => r.EventId == eventId)
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(limit).ToListAsync(cancellationToken);
    }

    public static ReportNewPayload ToPayload(Report r) =>
        new(r.Id, r.Message, r.Type, r.CreatedAt, r.Lat, r.Lng, r.ZoneId, r.CreatedBy);
}
