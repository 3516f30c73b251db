using System.Net;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Cluster;

/// <summary>Redis or PostgreSQL goes away under a running cluster: what still works, what says so, what comes back.</summary>
public sealed class ClusterFaultTests(ClusterWithOwnServersFixture cluster) : IClassFixture<ClusterWithOwnServersFixture>
{
    [Fact]
    public async Task WithoutRedis_NodesKeepServing_SaySoInHealth_AndOtherNodesMessagesStillArrive_ThenRedisTakesOverAgain()
    {
        using var onA = cluster.A.Api();
        using var onB = cluster.B.Api();
        var s = await onA.ScenarioAsync();
        await using var clientOfA = await HubRecorder.ConnectAsync(cluster.A.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));

        await cluster.Redis.HaltAsync();
        try
        {
            await Eventually.TrueAsync(async () => (await onA.SendAsync(HttpMethod.Get, "/health/ready", null)).StatusCode == HttpStatusCode.ServiceUnavailable,
                TimeSpan.FromSeconds(20), "readiness should fail without Redis");
            var health = await onA.JsonAsync(HttpMethod.Get, "/health", null);
            Assert.Equal("Degraded", health.GetProperty("status").GetString());
            Assert.NotEqual("Healthy", health.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());

            await onB.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "while Redis was away", type = "other" },
                HttpStatusCode.Created);
            // Through the database: each node compares the feed's counters with what it delivered every second.
            await clientOfA.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew), TimeSpan.FromSeconds(10));
        }
        finally
        {
            await cluster.Redis.ResumeAsync();
        }

        await Eventually.TrueAsync(async () => (await onA.SendAsync(HttpMethod.Get, "/health/ready", null)).StatusCode == HttpStatusCode.OK
            && (await onB.SendAsync(HttpMethod.Get, "/health/ready", null)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(60), "both nodes should be ready again once Redis is back");
        await onB.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "after Redis returned", type = "other" },
            HttpStatusCode.Created);
        var received = await clientOfA.WaitForAsync(r => r.Count(x => x.Method == MessageTypes.ReportNew) == 2);
        Assert.Equal(["while Redis was away", "after Redis returned"],
            received.Where(x => x.Method == MessageTypes.ReportNew).Select(x => x.Payload.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task WithoutPostgres_WritesAnswer503WithRetryAfter_NeverA202_AndWorkAgainWhenItReturns()
    {
        using var onA = cluster.A.Api();
        var s = await onA.ScenarioAsync();
        var device = s.TokenOf(Roles.Device);

        await cluster.Postgres.HaltAsync();
        try
        {
            using var ping = await onA.SendAsync(HttpMethod.Post, "/api/v1/pings", device, new { eventId = s.EventId, lat = 51.5001, lng = -0.0998 });
            using var count = await onA.SendAsync(HttpMethod.Post, "/api/v1/cctv/objects", device, new { eventId = s.EventId, cameraId = "c", zoneId = "gate-3", count = 3 });
            using var ready = await onA.SendAsync(HttpMethod.Get, "/health/ready", null);

            foreach (var response in new[] { ping, count })
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.True(response.Headers.RetryAfter is not null, "503 without Retry-After");
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        finally
        {
            await cluster.Postgres.ResumeAsync();
        }

        await using (var check = new Npgsql.NpgsqlConnection(cluster.DatabaseConnectionString))
        {
            await check.OpenAsync();
        }
        var last = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(30); ; await Task.Delay(200))
        {
            using var response = await onA.SendAsync(HttpMethod.Post, "/api/v1/pings", device, new { eventId = s.EventId, lat = 51.5001, lng = -0.0998, deviceId = "back" });
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                break;
            }
            Assert.True(DateTime.UtcNow < deadline, $"pings should be accepted again once PostgreSQL is back; last answer: {last}\n{cluster.A.RecentLog}");
        }
        var snapshot = await onA.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.TokenOf(Roles.Viewer));
        // Only the ping acknowledged after the outage counts: nothing of the refused ones was stored.
        Assert.Equal(["back"], snapshot.GetProperty("points").EnumerateArray().Select(p => p.GetProperty("deviceId").GetString()));
    }
}
