using CrowdShield.Core.Diagnostics;
using CrowdShield.Core.Events;
using CrowdShield.Core.Users;

namespace CrowdShield.Core.Map;

/// <summary>Accepts pings: stored durably first, then added to the live map (which sends them in the next map:update).</summary>
public sealed class PingIngest(PingWriter writer, LiveMap map, EventDirectory events, CrowdShieldMetrics metrics, TimeProvider time)
{
    /// <summary>
    /// Stores the pings <paramref name="sender"/> sent (its device ids are its own: another user's "phone-1" is
    /// another phone) and puts them on the live map. A field user's pings are a steward's position: shown as staff,
    /// never counted as crowd. Whether a ping is staff follows who sent it, so no device can pose as a steward.
    /// </summary>
    /// <returns>The number of pings accepted, or null when the event does not exist.</returns>
    public async Task<int?> IngestAsync(string eventId, Caller? sender, IReadOnlyList<PingInput> inputs, CancellationToken cancellationToken = default)
    {
        if (await events.FindAsync(eventId, cancellationToken) is null)
        {
            return null;
        }
        var now = time.GetUtcNow();
        var pings = new Ping[inputs.Count];
        for (var i = 0; i < inputs.Count; i++)
        {
            var input = inputs[i];
            var recordedAt = input.RecordedAt?.ToUniversalTime() ?? now;
            pings[i] = new Ping
            {
                EventId = eventId,
                Lat = input.Lat!.Value,
                Lng = input.Lng!.Value,
                Accuracy = input.Accuracy,
                DeviceId = input.DeviceId,
                UserId = sender?.UserId,
                Staff = sender?.Role == Roles.Field,
                StaffName = sender?.Role == Roles.Field ? sender.Name : null,
                RecordedAt = recordedAt,
                ExpiresAt = recordedAt + Ping.Lifetime,
            };
        }
        await map.EnsureLoadedAsync(eventId, cancellationToken);
        // Not cancellable once queued: an acknowledged ping must be stored, and a ping being stored may be acknowledged.
        await writer.WriteAsync(pings, CancellationToken.None);
        metrics.PingsAccepted(pings.Length);
        await map.AddPingsAsync(eventId, pings, CancellationToken.None);
        return pings.Length;
    }
}
