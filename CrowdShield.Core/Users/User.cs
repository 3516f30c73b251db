namespace CrowdShield.Core.Users;

/// <summary>A person or device that signs in. Non-admins see only the events they are members of.</summary>
public sealed class User
{
    public required string Id { get; init; }
    public required string Email { get; set; }
    /// <summary>Upper-cased email for case-insensitive uniqueness that works the same on every provider.</summary>
    public required string NormalizedEmail { get; set; }
    public required string Name { get; set; }
    public required string Role { get; set; }
    public required string PasswordHash { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    /// <summary>A disabled user cannot sign in, and every token and session of theirs stops working.</summary>
    public bool Disabled { get; set; }
    /// <summary>
    /// Changes whenever the user's credentials or sessions must stop working (password change, sign-out,
    /// disabling): every token and cookie carries the stamp it was issued with and is refused once it differs.
    /// </summary>
    public string SecurityStamp { get; set; } = NewStamp();
    public List<EventMembership> Memberships { get; init; } = [];

    public static string NewStamp() => Guid.NewGuid().ToString("N");

    public static string Normalize(string email) => email.Trim().ToUpperInvariant();
}

public sealed class EventMembership
{
    public required string UserId { get; init; }
    public required string EventId { get; init; }
}
