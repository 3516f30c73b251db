using System.Globalization;
using System.Text.Json;
using CrowdShield.Core.Data;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Counters;

/// <summary>
/// What an Axis People Counter posts: its serial, name, a timestamp and the totals in and out since its last
/// reset. <c>timestamp</c> may be ISO-8601 or Unix seconds, as Axis firmware versions differ.
/// </summary>
public sealed record AxisCount(string? Serial, string? Name, JsonElement? Timestamp, long? In, long? Out)
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("serial", Serial, 128);
        foreach (var (field, value) in new[] { ("in", In), ("out", Out) })
        {
            if (value is null or < 0)
            {
                errors.Add(field, $"'{field}' must be the counter's total since its reset (an integer, 0 or more).");
            }
        }
        if (Timestamp is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } && CapturedAt() is null)
        {
            errors.Add("timestamp", "'timestamp' must be an ISO-8601 time or Unix seconds.");
        }
    }

    public DateTimeOffset? CapturedAt() => Timestamp switch
    {
        { ValueKind: JsonValueKind.Number } n when n.TryGetInt64(out var seconds) && seconds > 0 => DateTimeOffset.FromUnixTimeSeconds(seconds),
        { ValueKind: JsonValueKind.String } s when DateTimeOffset.TryParse(s.GetString(), CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) => at,
        _ => null,
    };
}

/// <summary>
/// Turns an Axis People Counter's totals since reset into crossings: the difference to its previous totals, and
/// after a reset (a total lower than before) the new total itself. The first message from a counter only sets its
/// starting point: totals from before CrowdShield knew it are not people in the zone now. The counter's state is
/// compared-and-swapped, so the same counter posting twice at once is counted once.
/// </summary>
public sealed class AxisPeopleCounter(IDbContextFactory<CrowdShieldDb> dbFactory, CrossingIngest crossings, TimeProvider time)
{
    /// <returns>Null when the event does not exist.</returns>
    public async Task<CrossingResult?> IngestAsync(string eventId, string zoneId, AxisCount count, CancellationToken cancellationToken = default)
    {
        var counterId = $"axis-{count.Serial!.Trim()}";
        var now = time.GetUtcNow();
        var capturedAt = count.CapturedAt() ?? now;
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            var state = await db.CounterStates.FirstOrDefaultAsync(s => s.EventId == eventId && s.CounterId == counterId, cancellationToken);
            long entered, left;
            if (state is null)
            {
                db.CounterStates.Add(new CounterState { EventId = eventId, CounterId = counterId, LastIn = count.In!.Value, LastOut = count.Out!.Value, LastAt = capturedAt });
                (entered, left) = (0, 0);
            }
            else
            {
                entered = count.In!.Value >= state.LastIn ? count.In.Value - state.LastIn : count.In.Value;
                left = count.Out!.Value >= state.LastOut ? count.Out.Value - state.LastOut : count.Out.Value;
                var (lastIn, lastOut) = (state.LastIn, state.LastOut);
                var updated = await db.CounterStates
                    .Where(s => s.EventId == eventId && s.CounterId == counterId && s.LastIn == lastIn && s.LastOut == lastOut)
                    .ExecuteUpdateAsync(s => s.SetProperty(x => x.LastIn, count.In.Value).SetProperty(x => x.LastOut, count.Out.Value)
                        .SetProperty(x => x.LastAt, capturedAt), cancellationToken);
                if (updated == 0 && attempt < 5)
                {
                    continue; // the same counter's other message won the race: count from what it stored
                }
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
            }
            catch (DbUpdateException) when (attempt < 5)
            {
                continue; // first messages of a new counter at once: the other one set the starting point
            }
            return await crossings.IngestAsync(new CrossingRequest(eventId, counterId, zoneId, Math.Min(entered, CrossingRequest.MaxPerMessage),
                Math.Min(left, CrossingRequest.MaxPerMessage), capturedAt), cancellationToken);
        }
    }
}
