namespace CrowdShield.Core.Users;

/// <summary>Who is asking: what every Core operation needs to decide what the caller may see and do.</summary>
public sealed record Caller(string UserId, string Email, string Name, string Role, IReadOnlySet<string> EventIds)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admins see every event; everyone else only the events they are members of.</summary>
    public bool CanSee(string eventId) => IsAdmin || EventIds.Contains(eventId);

    public bool IsIn(params string[] roles) => roles.Contains(Role);

    /// <summary>Acknowledge and resolve alerts, record actions, request assessments: operators and admins of the event.</summary>
    public bool MayOperate(string eventId) => IsIn(Roles.Admin, Roles.Operator) && CanSee(eventId);

    /// <summary>Read an event's data (pages, REST reads, the hub): every member but devices, which only send.</summary>
    public bool MayRead(string eventId) => Role != Roles.Device && CanSee(eventId);

    /// <summary>File incident reports: field staff, operators and admins of the event.</summary>
    public bool MayReport(string eventId) => IsIn(Roles.Admin, Roles.Operator, Roles.Field) && CanSee(eventId);
}

/// <summary>The caller may see the thing but not do this to it (its role does not allow it): a 403.</summary>
public sealed class ForbiddenException(string message) : Exception(message);
