using System.Data.Common;
using CrowdShield.Core.Alerts;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Counters;

/// <summary>The body of POST /cctv/crossings: people in and out of a zone through one counter since its previous message.</summary>
public sealed record CrossingRequest(string? EventId, string? CounterId, string? ZoneId, long? In, long? Out, DateTimeOffset? CapturedAt) : IEventRequest
{
    public const int MaxPerMessage = 100_000;

    public void Validate(ValidationErrors errors, DateTimeOffset now)
    {
        errors.Required("eventId", EventId, 64);
        errors.Required("counterId", CounterId, 128);
        errors.Required("zoneId", ZoneId, 64);
        foreach (var (field, value) in new[] { ("in", In), ("out", Out) })
        {
            if (value is null)
            {
                errors.Add(field, $"'{field}' is required: the people counted since the counter's previous message.");
            }
            else if (value is < 0 or > MaxPerMessage)
            {
                errors.Add(field, $"'{field}' must be an integer in [0, {MaxPerMessage}].");
            }
        }
        if (CapturedAt is { } at && at > now.AddMinutes(5))
        {
            errors.Add("capturedAt", "'capturedAt' is more than 5 minutes in the future.");
        }
    }
}

public sealed record CrossingResult(string ZoneId, int Occupancy);

/// <summary>
/// Line-crossing people counters (gates, doors): each message adds entries and removes exits from its zone's
/// occupancy, which never goes below zero (a counter that missed people going in cannot make a zone negative).
/// The database does the arithmetic in one statement, so counters posting to different nodes at once add up.
/// </summary>
public sealed class CrossingIngest(
    IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, LiveMap map, AlertService alerts, AuditLog audit, WriteTurns turns, TimeProvider time)
{
    /// <summary>The "camera" id under which a zone's counter occupancy is rolled up per hour.</summary>
    public const string CountersReading = "counters";

    /// <returns>Null when the event does not exist.</returns>
    public async Task<CrossingResult?> IngestAsync(CrossingRequest request, CancellationToken cancellationToken = default)
    {
        var definition = await events.FindAsync(request.EventId!, cancellationToken);
        if (definition is null)
        {
            return null;
        }
        var zone = definition.FindZone(request.ZoneId!) ?? throw ValidationException.For("zoneId", $"Event {definition.Id} has no zone '{request.ZoneId}'.");
        var now = time.GetUtcNow();
        var (entered, left) = ((int)request.In!.Value, (int)request.Out!.Value);
        await map.EnsureLoadedAsync(definition.Id, cancellationToken);
        var capturedAt = request.CapturedAt?.ToUniversalTime() ?? now;
        int occupancy;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            // Through EF, for the app's connection settings; wanting the write lock lets it in during a ping flood.
            using var turn = turns.Want();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            occupancy = await ChangeOccupancyAsync(connection, transaction, definition.Id, zone.Id, delta: entered - left, setTo: null, now, cancellationToken);
            await using (var insert = connection.CreateCommand())
            {
                insert.Transaction = transaction;
                insert.CommandText =
                    """INSERT INTO "crossings" ("EventId", "ZoneId", "CounterId", "In", "Out", "CapturedAt", "ReceivedAt", "OccupancyAfter") VALUES (@e, @z, @c, @i, @o, @cap, @rec, @occ)""";
                Add(insert, "@e", definition.Id);
                Add(insert, "@z", zone.Id);
                Add(insert, "@c", request.CounterId!);
                Add(insert, "@i", entered);
                Add(insert, "@o", left);
                Add(insert, "@cap", capturedAt.ToUnixTimeMilliseconds());
                Add(insert, "@rec", now.ToUnixTimeMilliseconds());
                Add(insert, "@occ", occupancy);
                await insert.ExecuteNonQueryAsync(cancellationToken);
            }
            // The occupancy joins the hourly roll-ups the weekly forecasts read, as the zone's "counters" reading.
            await using (var hourly = connection.CreateCommand())
            {
                hourly.Transaction = transaction;
                hourly.CommandText =
                    """
                    INSERT INTO "hourly_counts" ("EventId", "ZoneId", "CameraId", "HourStart", "Sum", "Readings") VALUES (@e, @z, @c, @h, @s, 1)
                    ON CONFLICT ("EventId", "ZoneId", "CameraId", "HourStart") DO UPDATE SET "Sum" = "hourly_counts"."Sum" + excluded."Sum", "Readings" = "hourly_counts"."Readings" + 1
                    """;
                Add(hourly, "@e", definition.Id);
                Add(hourly, "@z", zone.Id);
                Add(hourly, "@c", CountersReading);
                Add(hourly, "@h", Cameras.HourlyCount.HourOf(capturedAt, definition.TimeZone).ToUnixTimeMilliseconds());
                Add(hourly, "@s", (double)occupancy);
                await hourly.ExecuteNonQueryAsync(cancellationToken);
            }
            await transaction.CommitAsync(cancellationToken);
        }
        await map.AddCrossingAsync(new CrossingUpdate(definition.Id, zone.Id, request.CounterId, entered, left, capturedAt, occupancy, now), CancellationToken.None);
        await EvaluateAsync(definition, zone, capturedAt);
        return new CrossingResult(zone.Id, occupancy);
    }

    /// <summary>
    /// An operator sets a zone's occupancy to a head count (counters drift: people slip past, a door is propped
    /// open); counting goes on from there. Audited with the value it replaced.
    /// </summary>
    /// <returns>Null when the event or zone does not exist or the caller may not see it.</returns>
    /// <exception cref="ForbiddenException">The caller sees the event but does not operate it.</exception>
    public async Task<CrossingResult?> RecalibrateAsync(string eventId, string zoneId, int occupancy, Caller caller, CancellationToken cancellationToken = default)
    {
        if (!caller.CanSee(eventId) || await events.FindAsync(eventId, cancellationToken) is not { } definition || definition.FindZone(zoneId) is not { } zone)
        {
            return null;
        }
        if (!caller.MayOperate(eventId))
        {
            throw new ForbiddenException($"A {caller.Role} may not recalibrate occupancy.");
        }
        var now = time.GetUtcNow();
        await map.EnsureLoadedAsync(eventId, cancellationToken);
        int before;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            before = await db.ZoneOccupancies.Where(o => o.EventId == eventId && o.ZoneId == zoneId).Select(o => (int?)o.Occupancy).FirstOrDefaultAsync(cancellationToken) ?? 0;
            using var turn = turns.Want();
            await db.Database.OpenConnectionAsync(cancellationToken);
            var connection = db.Database.GetDbConnection();
            await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
            await ChangeOccupancyAsync(connection, transaction, eventId, zoneId, delta: 0, setTo: occupancy, now, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await map.AddCrossingAsync(new CrossingUpdate(eventId, zoneId, null, 0, 0, now, occupancy, now), CancellationToken.None);
        await audit.RecordAsync(caller, AuditActions.OccupancyRecalibrated, $"zone:{eventId}/{zoneId}",
            $"{zone.Name}: occupancy {before} → {occupancy} (head count)", eventId, CancellationToken.None);
        await EvaluateAsync(definition, zone, now);
        return new CrossingResult(zoneId, occupancy);
    }

    /// <summary>Over its threshold by its counters, a zone raises the same alerts as by its cameras.</summary>
    private async Task EvaluateAsync(EventDefinition definition, ZoneDefinition zone, DateTimeOffset capturedAt)
    {
        var picture = (await map.ZonesAsync(definition.Id, CancellationToken.None)).FirstOrDefault(z => z.ZoneId == zone.Id);
        if (picture is { Source: CountSources.Crossings })
        {
            await alerts.EvaluateZoneAsync(definition.Id, zone, picture.Count, picture, capturedAt, CancellationToken.None);
        }
    }

    /// <summary>The same SQL on SQLite and PostgreSQL: an upsert that adds the change and clamps at zero, returning the result.</summary>
    private static async Task<int> ChangeOccupancyAsync(
        DbConnection connection, DbTransaction transaction, string eventId, string zoneId, int delta, int? setTo, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = setTo is null
            ? """
              INSERT INTO "zone_occupancy" ("EventId", "ZoneId", "Occupancy", "UpdatedAt") VALUES (@e, @z, CASE WHEN @d < 0 THEN 0 ELSE @d END, @t)
              ON CONFLICT ("EventId", "ZoneId") DO UPDATE SET
                "Occupancy" = CASE WHEN "zone_occupancy"."Occupancy" + @d < 0 THEN 0 ELSE "zone_occupancy"."Occupancy" + @d END, "UpdatedAt" = @t
              RETURNING "Occupancy"
              """
            : """
              INSERT INTO "zone_occupancy" ("EventId", "ZoneId", "Occupancy", "UpdatedAt") VALUES (@e, @z, @d, @t)
              ON CONFLICT ("EventId", "ZoneId") DO UPDATE SET "Occupancy" = @d, "UpdatedAt" = @t
              RETURNING "Occupancy"
              """;
        Add(command, "@e", eventId);
        Add(command, "@z", zoneId);
        Add(command, "@d", setTo ?? delta);
        Add(command, "@t", now.ToUnixTimeMilliseconds());
        return Convert.ToInt32(await command.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
