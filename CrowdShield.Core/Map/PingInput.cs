using System.Text.Json.Serialization;
using CrowdShield.Core.Validation;

namespace CrowdShield.Core.Map;

/// <summary>One ping as a device sends it. Fields are nullable so that a missing one is reported, not defaulted.</summary>
public sealed record PingInput(double? Lat, double? Lng, double? Accuracy, string? DeviceId, DateTimeOffset? RecordedAt)
{
    /// <summary>
    /// For System.Text.Json, which then sets the properties one by one: a batch holds up to 1,000 pings, and reading
    /// through the positional constructor first caches every argument, the slower of its two object readers.
    /// </summary>
    [JsonConstructor]
    public PingInput() : this(null, null, null, null, null)
    {
    }

    public void Validate(ValidationErrors errors, string prefix)
    {
        errors.Lat($"{prefix}lat", Lat, required: true);
        errors.Lng($"{prefix}lng", Lng, required: true);
        if (Accuracy is { } accuracy && (!double.IsFinite(accuracy) || accuracy < 0 || accuracy > 100_000))
        {
            errors.Add($"{prefix}accuracy", $"'{prefix}accuracy' must be a finite number of metres in [0, 100000].");
        }
        errors.Optional($"{prefix}deviceId", DeviceId, 128);
    }
}

/// <summary>The body of POST /pings: one ping, or a batch in <see cref="Pings"/>.</summary>
public sealed record PingRequest(
    string? EventId, double? Lat, double? Lng, double? Accuracy, string? DeviceId, DateTimeOffset? RecordedAt,
    IReadOnlyList<PingInput?>? Pings)
{
    public const int MaxBatch = 1000;

    public IReadOnlyList<PingInput> Validate(ValidationErrors errors, DateTimeOffset now)
    {
        errors.Required("eventId", EventId, 64);
        IReadOnlyList<PingInput> pings;
        if (Pings is not null)
        {
            if (Pings.Count == 0 || Pings.Count > MaxBatch)
            {
                errors.Add("pings", $"'pings' must hold 1 to {MaxBatch} pings.");
                return [];
            }
            for (var i = 0; i < Pings.Count; i++)
            {
                if (Pings[i] is null)
                {
                    errors.Add($"pings[{i}]", $"'pings[{i}]' must be an object.");
                }
                else
                {
                    Pings[i]!.Validate(errors, $"pings[{i}].");
                    CheckTime(errors, $"pings[{i}].recordedAt", Pings[i]!.RecordedAt, now);
                }
            }
            pings = Pings!;
        }
        else
        {
            var single = new PingInput(Lat, Lng, Accuracy, DeviceId, RecordedAt);
            single.Validate(errors, "");
            CheckTime(errors, "recordedAt", RecordedAt, now);
            pings = [single];
        }
        return pings;
    }

    private static void CheckTime(ValidationErrors errors, string field, DateTimeOffset? at, DateTimeOffset now)
    {
        // Device clocks drift; a ping from the future beyond a few minutes would never expire on time.
        if (at is { } value && value > now.AddMinutes(5))
        {
            errors.Add(field, $"'{field}' is more than 5 minutes in the future.");
        }
    }
}
