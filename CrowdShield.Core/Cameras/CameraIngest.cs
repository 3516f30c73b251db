using CrowdShield.Core.Alerts;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Cameras;

public sealed record DetectedObject(string? Label, double? Confidence, IReadOnlyList<double>? Bbox);

/// <summary>The body of POST /cctv/objects.</summary>
public sealed record CameraCountRequest(
    string? EventId, string? CameraId, string? ZoneId, long? Count, IReadOnlyList<DetectedObject?>? Objects, DateTimeOffset? CapturedAt) : IEventRequest
{
    public const int MaxCount = 100_000;
    public const int MaxObjects = 10_000;

    public void Validate(ValidationErrors errors, DateTimeOffset now)
    {
        errors.Required("eventId", EventId, 64);
        errors.Required("cameraId", CameraId, 128);
        errors.Required("zoneId", ZoneId, 64);
        if (Count is { } count && count is < 0 or > MaxCount)
        {
            errors.Add("count", $"'count' must be an integer in [0, {MaxCount}].");
        }
        if (Count is null && Objects is null)
        {
            errors.Add("count", "Give 'count' or 'objects'.");
        }
        if (Objects is { Count: > MaxObjects })
        {
            errors.Add("objects", $"'objects' must hold at most {MaxObjects} items.");
        }
        for (var i = 0; Objects is not null && i < Objects.Count && i < MaxObjects; i++)
        {
            var o = Objects[i];
            if (o is null)
            {
                errors.Add($"objects[{i}]", $"'objects[{i}]' must be an object.");
                continue;
            }
            errors.Required($"objects[{i}].label", o.Label, 64);
            if (o.Confidence is { } c && (!double.IsFinite(c) || c < 0 || c > 1))
            {
                errors.Add($"objects[{i}].confidence", $"'objects[{i}].confidence' must be in [0, 1].");
            }
            if (o.Bbox is { } box && (box.Count != 4 || box.Any(v => !double.IsFinite(v))))
            {
                errors.Add($"objects[{i}].bbox", $"'objects[{i}].bbox' must be 4 finite numbers.");
            }
        }
        if (CapturedAt is { } at && at > now.AddMinutes(5))
        {
            errors.Add("capturedAt", "'capturedAt' is more than 5 minutes in the future.");
        }
    }

    /// <summary>The count, or the number of detected persons when no count is given.</summary>
    public int EffectiveCount => Count is { } count
        ? (int)count
        : Objects!.Count(o => string.Equals(o?.Label, "person", StringComparison.OrdinalIgnoreCase));
}

public sealed record CameraCountResult(string ZoneId, int Count, string? AlertId);

/// <summary>Stores a camera count, updates the live map and lets the alert service decide.</summary>
public sealed class CameraIngest(
    IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, LiveMap map, AlertService alerts, WriteTurns turns, TimeProvider time)
{
    /// <returns>Null when the event does not exist.</returns>
    public async Task<CameraCountResult?> IngestAsync(CameraCountRequest request, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(request.EventId!, cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var zone = definition.FindZone(request.ZoneId!) ?? throw ValidationException.For("zoneId", $"Event {definition.Id} has no zone '{request.ZoneId}'.");
        var now = time.GetUtcNow();
        var count = request.EffectiveCount;
        if (count > CameraCountRequest.MaxCount)
        {
            throw ValidationException.For("objects", $"At most {CameraCountRequest.MaxCount} persons per reading.");
        }
        var capturedAt = request.CapturedAt?.ToUniversalTime() ?? now;
        await map.EnsureLoadedAsync(definition.Id, cancellationToken);
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            db.CameraCounts.Add(new CameraCount
            {
                EventId = definition.Id, ZoneId = zone.Id, CameraId = request.CameraId!, Count = count, CapturedAt = capturedAt, ReceivedAt = now,
            });
            // The transaction's BEGIN waits for SQLite's write lock before anything inside it says it wants the lock:
            // under a ping flood a camera's count would wait for a gap between the ping store's commits.
            using var turn = turns.Want();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            // The same upsert on SQLite and PostgreSQL; the hour is stored as Unix ms like every time.
            await db.Database.ExecuteSqlAsync(
                $"""
                INSERT INTO "hourly_counts" ("EventId", "ZoneId", "CameraId", "HourStart", "Sum", "Readings")
                VALUES ({definition.Id}, {zone.Id}, {request.CameraId}, {HourlyCount.HourOf(capturedAt, definition.TimeZone).ToUnixTimeMilliseconds()}, {(double)count}, 1)
                ON CONFLICT ("EventId", "ZoneId", "CameraId", "HourStart") DO UPDATE SET "Sum" = "hourly_counts"."Sum" + excluded."Sum", "Readings" = "hourly_counts"."Readings" + 1
                """, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await map.AddCameraCountAsync(definition.Id, zone.Id, request.CameraId!, count, capturedAt, CancellationToken.None);
        await alerts.CameraReportedAsync(definition.Id, zone.Id, request.CameraId!, CancellationToken.None);
        var occupancy = (await map.ZonesAsync(definition.Id, CancellationToken.None)).FirstOrDefault(z => z.ZoneId == zone.Id)
            ?? new ZoneDensity(zone.Id, count, null, DensityBands.Low);
        var alert = await alerts.EvaluateZoneAsync(definition.Id, zone, count, occupancy, capturedAt, CancellationToken.None);
        return new CameraCountResult(zone.Id, count, alert?.Id);
    }
}
