namespace CrowdShield.Core.Map;

/// <summary>A location ping from a phone or tablet; it counts on the map until it expires.</summary>
public sealed class Ping
{
    /// <summary>How long a ping counts as "someone is here".</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(15);

    public long Id { get; init; }
    public required string EventId { get; init; }
    public required double Lat { get; init; }
    public required double Lng { get; init; }
    public double? Accuracy { get; init; }
    public string? DeviceId { get; init; }
    /// <summary>Who sent it. A device id is the sender's own name for a phone: two users' "phone-1" are two phones.</summary>
    public string? UserId { get; init; }
    /// <summary>A steward's position (sent by a field user): shown as staff, never counted as crowd.</summary>
    public bool Staff { get; init; }
    /// <summary>The steward's display name, for the staff layer; not stored with the ping (it is the user's).</summary>
    public string? StaffName { get; init; }

    public Ping WithStaffName(string? name) => new()
    {
        Id = Id, EventId = EventId, Lat = Lat, Lng = Lng, Accuracy = Accuracy, DeviceId = DeviceId, UserId = UserId, Staff = Staff,
        StaffName = name, RecordedAt = RecordedAt, ExpiresAt = ExpiresAt,
    };
    public required DateTimeOffset RecordedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
}
