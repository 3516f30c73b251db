using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Realtime;

/// <summary>
/// The default deployment (one node, SQLite) killed hard in the middle of ingest, then started again on the same
/// data: what was acknowledged is there, and reaches the screens.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task KilledDuringIngest_EveryAcknowledgedPingAndCountSurvives_SeqContinues_AndASnapshotCarriesTheLastPings()
    {
        var data = Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N"));
        await using var node = new AppNode("solo", new Dictionary<string, string>
        {
            ["Jwt:SigningKey"] = AppFixture.SigningKey,
            ["Bootstrap:AdminEmail"] = AppFixture.AdminEmail,
            ["Bootstrap:AdminPassword"] = AppFixture.AdminPassword,
            ["Demo:Enabled"] = "false",
            ["Storage:DataDirectory"] = data,
            ["RateLimits:Ingest:PerUser"] = "100000",
            ["Logging:LogLevel:Default"] = "Warning",
            // Every ping here is anonymous, so each stays a point of its own; on a fast node the senders get well past
            // the default 10,000 points a map:update holds before the kill, and a capped snapshot keeps only the
            // newest. The cap has its own tests; this one is about what survives the crash.
            ["Map:MaxPointsPerUpdate"] = "1000000",
        });
        await node.StartAsync();
        using var api = node.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(Roles.Device);

        // Pings from four senders at once, each ping at its own place so it can be found again; one camera counting up.
        var acknowledged = new ConcurrentBag<(double Lat, double Lng)>();
        var lastCount = 0;
        var countErrors = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();
        var next = 0;
        async Task SendPingsAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                var batch = Enumerable.Range(0, 10).Select(_ => Interlocked.Increment(ref next))
                    .Select(n => (Lat: 51.5 + n * 1e-6, Lng: -0.1 + (n % 7) * 1e-6)).ToList();
                try
                {
                    using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/pings", device,
                        new { eventId = s.EventId, pings = batch.Select(p => new { lat = p.Lat, lng = p.Lng }).ToArray() });
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        batch.ForEach(acknowledged.Add);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                    // The node died under this request: not acknowledged, so promised nothing.
                }
            }
        }
        async Task SendCountsAsync()
        {
            for (var count = 1; !stop.IsCancellationRequested; count++)
            {
                try
                {
                    using var response = await api.SendAsync(HttpMethod.Post, "/api/v1/cctv/objects", device,
                        new { eventId = s.EventId, cameraId = "cam-1", zoneId = "stage", count });
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Volatile.Write(ref lastCount, count);
                    }
                    else
                    {
                        countErrors.Add($"{response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
                {
                }
            }
        }
        var senders = Enumerable.Range(0, 4).Select(_ => Task.Run(SendPingsAsync)).Append(Task.Run(SendCountsAsync)).ToList();
        await Eventually.TrueAsync(() => acknowledged.Count >= 2000 && Volatile.Read(ref lastCount) >= 20, TimeSpan.FromSeconds(30),
            because: $"{acknowledged.Count} pings and {lastCount} counts acknowledged; {countErrors.FirstOrDefault()}");
        var seqBefore = await api.LastSeqAsync(s.AdminToken, s.EventId);

        await node.KillAsync();
        await stop.CancelAsync();
        await Task.WhenAll(senders);
        await node.StartAsync();

        // Every acknowledged ping is on the map, and the first map:update after the restart carries them all.
        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.AdminToken);
        var onMap = Points(map.GetProperty("points"));
        Assert.DoesNotContain(acknowledged, p => !onMap.Contains(p));
        var stage = map.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("zoneId").GetString() == "stage");
        Assert.InRange(stage.GetProperty("count").GetInt32(), lastCount, lastCount + 1);
        var feed = await FeedAsync(api, s.AdminToken, s.EventId);
        JsonElement snapshot = default;
        await Eventually.TrueAsync(async () =>
        {
            feed = await FeedAsync(api, s.AdminToken, s.EventId);
            snapshot = feed.LastOrDefault(i => i.GetProperty("type").GetString() == "map:update"
                && i.GetProperty("payload").TryGetProperty("snapshot", out var flag) && flag.GetBoolean());
            return snapshot.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(10), because: "no snapshot map:update after the restart");
        Assert.True(snapshot.GetProperty("seq").GetInt64() > seqBefore);
        Assert.Equal("snapshot", snapshot.GetProperty("payload").GetProperty("source").GetString());
        var inSnapshot = Points(snapshot.GetProperty("payload").GetProperty("points"));
        Assert.DoesNotContain(acknowledged, p => !inSnapshot.Contains(p));

        // The stream goes on from where the stored one stopped: 1, 2, 3, … with no gap and no repeat across the crash.
        using var ping = await api.SendAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "After the restart", type = "security" });
        Assert.Equal(HttpStatusCode.Created, ping.StatusCode);
        feed = await FeedAsync(api, s.AdminToken, s.EventId);
        var seqs = feed.Select(i => i.GetProperty("seq").GetInt64()).ToList();
        Assert.Equal(Enumerable.Range(1, seqs.Count).Select(n => (long)n), seqs);
        Assert.Equal("report:new", feed[^1].GetProperty("type").GetString());
    }

    private static HashSet<(double, double)> Points(JsonElement points) =>
        [.. points.EnumerateArray().Select(p => (p.GetProperty("lat").GetDouble(), p.GetProperty("lng").GetDouble()))];

    private static async Task<List<JsonElement>> FeedAsync(ApiClient api, string token, string eventId)
    {
        var items = new List<JsonElement>();
        long after = 0;
        while (true)
        {
            var page = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/feed?after={after}&limit=1000", token);
            var batch = page.GetProperty("items").EnumerateArray().Select(i => i.Clone()).ToList();
            if (batch.Count == 0)
            {
                return items;
            }
            items.AddRange(batch);
            after = batch[^1].GetProperty("seq").GetInt64();
        }
    }
}
