namespace CrowdShield.Core.Users;

/// <summary>Who is asking: what every Core operation needs to decide what the caller may see and do.</summary>
public sealed record Caller(string UserId, string Email, string Name, string Role, IReadOnlySet<string> EventIds)
{
    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Admins see every event; everyone else only the events they are members of.</summary>
    public bool CanSee(string eventId) => IsAdmin || EventIds.Contains(eventId);

    public bool IsIn(params string[] roles) => roles.Contains(Role);
}
