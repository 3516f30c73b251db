using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Actions;

public sealed record ActionRequest(string? EventId, string? Command, string? ZoneId, string? Note) : IEventRequest
{
    void IEventRequest.Validate(ValidationErrors errors, DateTimeOffset now) => Validate(errors);

    public void Validate(ValidationErrors errors)
    {
        errors.Required("eventId", EventId, 64);
        errors.Required("command", Command, 500);
        errors.Optional("zoneId", ZoneId, 64);
        errors.Optional("note", Note, 2000);
    }
}

/// <summary>Records operator decisions and tells every screen.</summary>
public sealed class ActionService(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, IMessageBus bus, AuditLog audit, TimeProvider time)
{
    /// <returns>Null when the event does not exist or the caller may not see it.</returns>
    /// <exception cref="ForbiddenException">The caller sees the event but may not record actions (checked here for every caller).</exception>
    public async Task<OperatorAction?> CreateAsync(ActionRequest request, Caller caller, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(request.EventId!, cancellationToken);
        if (definition is null || !caller.CanSee(definition.Id))
        {
            return null;
        }
        if (!caller.MayOperate(definition.Id))
        {
            throw new ForbiddenException($"A {caller.Role} may not record actions.");
        }
        if (request.ZoneId is { } zoneId && definition.FindZone(zoneId) is null)
        {
            throw ValidationException.For("zoneId", $"Event {definition.Id} has no zone '{zoneId}'.");
        }
        var action = new OperatorAction
        {
            Id = Ids.New(), EventId = definition.Id, Command = request.Command!.Trim(), ZoneId = request.ZoneId,
            Note = request.Note, CreatedBy = caller.Email, CreatedAt = time.GetUtcNow(),
        };
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        db.Actions.Add(action);
        await db.SaveChangesAsync(cancellationToken);
        await bus.PublishAsync(definition.Id, MessageTypes.ActionCreated, Payload(action), CancellationToken.None);
        await audit.RecordAsync(caller, AuditActions.ActionRecorded, $"action:{action.Id}",
            $"{action.Command}{(action.ZoneId is null ? "" : $" in zone {action.ZoneId}")}{(action.Note is null ? "" : $": {action.Note}")}", action.EventId,
            CancellationToken.None);
        return action;
    }

    /// <summary>
    /// A steward says "on it" from a tablet: the action records who took it and when, audited, and every screen
    /// gets the action again (action:created with the same id and <c>takenBy</c>, which screens merge by id).
    /// Taking it again changes nothing; someone else's take is not overwritten.
    /// </summary>
    /// <returns>Null when there is no such action or the caller may not see its event.</returns>
    /// <exception cref="ForbiddenException">The caller may not take actions (viewers, devices).</exception>
    public async Task<OperatorAction?> TakeAsync(string actionId, Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var action = await db.Actions.FirstOrDefaultAsync(a => a.Id == actionId, cancellationToken);
        if (action is null || !caller.CanSee(action.EventId))
        {
            return null;
        }
        if (!caller.MayReport(action.EventId))
        {
            throw new ForbiddenException($"A {caller.Role} may not take actions.");
        }
        if (action.TakenById is not null)
        {
            return action;
        }
        (action.TakenById, action.TakenBy, action.TakenAt) = (caller.UserId, string.IsNullOrWhiteSpace(caller.Name) ? caller.Email : caller.Name, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        await bus.PublishAsync(action.EventId, MessageTypes.ActionCreated, Payload(action), CancellationToken.None);
        await audit.RecordAsync(caller, AuditActions.ActionTaken, $"action:{action.Id}", action.Command, action.EventId, CancellationToken.None);
        return action;
    }

    public static ActionCreatedPayload Payload(OperatorAction action) =>
        new(action.Id, action.Command, action.ZoneId, action.Note, action.CreatedBy, action.CreatedAt) { TakenBy = action.TakenBy, TakenAt = action.TakenAt };

    public async Task<IReadOnlyList<OperatorAction>> ListAsync(string eventId, int limit, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Actions.AsNoTracking().Where(a => a.EventId == eventId)
            .OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).Take(limit).ToListAsync(cancellationToken);
    }
}
