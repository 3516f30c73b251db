using System.Net;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Npgsql;

namespace CrowdShield.Tests.Cluster;

/// <summary>A node dies hard in the middle of the stream: the other carries on, and the dead one rejoins.</summary>
public sealed class ClusterFailoverTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task KillingTheNodeThatHoldsAnEventsWork_LosesNothing_MovesTheWork_AndTheNodeRejoinsWithSeqContinuing()
    {
        using var onA = cluster.A.Api();
        var s = await onA.ScenarioAsync();
        // Pings make the event active: one node takes its lease and sends its map:update.
        await onA.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(Roles.Device), new { eventId = s.EventId, lat = 51.5001, lng = -0.0998, deviceId = "p1" },
            HttpStatusCode.Accepted);
        var holder = await LeaseHolderAsync($"event:{s.EventId}");
        var (victim, survivor) = holder.Contains($"/{cluster.A.ProcessId}/", StringComparison.Ordinal) ? (cluster.A, cluster.B) : (cluster.B, cluster.A);
        Assert.Contains($"/{victim.ProcessId}/", holder, StringComparison.Ordinal);
        using var api = survivor.Api();
        var clientOfVictim = await HubRecorder.ConnectAsync(victim.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        await using var clientOfSurvivor = await HubRecorder.ConnectAsync(survivor.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));

        for (var i = 0; i < 30; i++)
        {
            if (i == 10)
            {
                await victim.KillAsync();
            }
            await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = $"report {i}", type = "other" },
                HttpStatusCode.Created);
            await Task.Delay(30);
        }

        // The dead node's client catches up from the survivor's feed, with nothing missing.
        var seen = clientOfVictim.Received.Select(r => r.Payload.GetProperty("seq").GetInt64()).ToList();
        var reportsSeen = clientOfVictim.Received.Count(r => r.Method == MessageTypes.ReportNew);
        await clientOfVictim.DisposeAsync();
        var last = seen.DefaultIfEmpty(0).Max();
        var missed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after={last}&limit=1000", s.TokenOf(Roles.Viewer));
        var all = seen.Concat(missed.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("seq").GetInt64())).ToList();
        Assert.NotEmpty(seen);
        Assert.Equal(Enumerable.Range((int)seen[0], all.Count).Select(i => (long)i), all);
        Assert.Equal(30, reportsSeen + missed.GetProperty("items").EnumerateArray().Count(i => i.GetProperty("type").GetString() == MessageTypes.ReportNew));

        // The event's periodic work moves to the survivor: its map:update and insight:update keep coming.
        var before = clientOfSurvivor.Received.Count;
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 80 }, HttpStatusCode.Accepted);
        await Eventually.TrueAsync(async () =>
        {
            await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(Roles.Device),
                new { eventId = s.EventId, lat = 51.5002, lng = -0.0997, deviceId = "p2" }, HttpStatusCode.Accepted);
            var after = clientOfSurvivor.Received.Skip(before).Select(r => r.Method).ToList();
            return after.Contains(MessageTypes.MapUpdate) && after.Contains(MessageTypes.InsightUpdate);
        }, TimeSpan.FromSeconds(20), "map:update and insight:update should come from the survivor within seconds");
        Assert.Contains($"/{survivor.ProcessId}/", await LeaseHolderAsync($"event:{s.EventId}"), StringComparison.Ordinal);

        // The dead node comes back and publishes with seq continuing where the cluster is.
        await victim.StartAsync();
        using var rejoined = victim.Api();
        var lastSeq = await rejoined.LastSeqAsync(s.TokenOf(Roles.Viewer), s.EventId);
        await rejoined.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "back", type = "other" },
            HttpStatusCode.Created);
        var back = await clientOfSurvivor.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew && x.Payload.GetProperty("message").GetString() == "back"));
        var seqOfBack = back.Single(x => x.Payload.TryGetProperty("message", out var m) && m.GetString() == "back").Payload.GetProperty("seq").GetInt64();
        Assert.True(seqOfBack > lastSeq, $"seq {seqOfBack} after {lastSeq}");
        var seqs = back.Select(r => r.Payload.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range((int)seqs[0], seqs.Count).Select(i => (long)i), seqs);
    }

    private async Task<string> LeaseHolderAsync(string name)
    {
        string? holder = null;
        await Eventually.TrueAsync(async () =>
        {
            await using var connection = new NpgsqlConnection(cluster.DatabaseConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("""SELECT "Holder" FROM "leases" WHERE "Name" = @name AND "ExpiresAt" > @now""", connection);
            command.Parameters.AddWithValue("name", name);
            command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            holder = await command.ExecuteScalarAsync() as string;
            return holder is not null;
        }, because: $"nobody holds {name}");
        return holder!;
    }
}
