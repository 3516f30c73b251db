using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Tests.Realtime;
using Microsoft.Playwright;

namespace CrowdShield.Tests.Cluster;

/// <summary>Two nodes on PostgreSQL and Redis: one stream per event whichever node a client or a publisher uses.</summary>
public sealed class ClusterTests(ClusterFixture cluster) : IClassFixture<ClusterFixture>
{
    [Fact]
    public async Task AllSevenMessageKinds_CausedOnB_ReachASubscriberOnA_WithTheSameSeqAsOnB()
    {
        using var onB = cluster.B.Api();
        var s = await onB.ScenarioAsync();
        await using var clientOfA = await HubRecorder.ConnectAsync(cluster.A.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        await using var clientOfB = await HubRecorder.ConnectAsync(cluster.B.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var ready = await UntilBothJoinedAsync(onB, s, clientOfA, clientOfB);

        await RealtimeEventsContract.TriggerAllSevenAsync(onB, s);

        static List<Received> After(IReadOnlyList<Received> r, int seq) => [.. r.Where(x => SeqOf(x) > seq)];
        var atA = After(await clientOfA.WaitForAsync(r => MessageTypes.Seven.All(m => After(r, ready).Any(x => x.Method == m))), ready);
        var atB = After(await clientOfB.WaitForAsync(r => After(r, ready).Count >= atA.Count), ready);
        Assert.Equal(Enumerable.Range(ready + 1, atA.Count).Select(i => (long)i), atA.Select(SeqOf));
        for (var i = 0; i < atA.Count; i++)
        {
            Assert.Equal(atB[i].Method, atA[i].Method);
            Assert.True(JsonElement.DeepEquals(atB[i].Payload, atA[i].Payload), $"#{i + 1} differs: {atA[i].Payload} vs {atB[i].Payload}");
        }
    }

    [Fact]
    public async Task FourPublishers_SpreadOverBothNodes_GiveOneGapFreeSeq_SeenAndStoredAlikeOnBoth()
    {
        using var onA = cluster.A.Api();
        using var onB = cluster.B.Api();
        var s = await onA.ScenarioAsync();
        await using var clientOfA = await HubRecorder.ConnectAsync(cluster.A.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        await using var clientOfB = await HubRecorder.ConnectAsync(cluster.B.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var ready = await UntilBothJoinedAsync(onA, s, clientOfA, clientOfB);

        await Task.WhenAll(Enumerable.Range(0, 4).Select(publisher => Task.Run(async () =>
        {
            var api = publisher % 2 == 0 ? onA : onB;
            for (var i = 0; i < 25; i++)
            {
                await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
                    new { eventId = s.EventId, message = $"publisher {publisher} report {i}", type = "other" }, HttpStatusCode.Created);
            }
        })));

        static List<Received> Published(IReadOnlyList<Received> r) =>
            [.. r.Where(x => x.Method == MessageTypes.ReportNew && x.Payload.GetProperty("message").GetString()!.StartsWith("publisher ", StringComparison.Ordinal))];
        var atA = Published(await clientOfA.WaitForAsync(r => Published(r).Count == 100));
        var atB = Published(await clientOfB.WaitForAsync(r => Published(r).Count == 100));
        Assert.Equal(Enumerable.Range(ready + 1, 100).Select(i => (long)i), atA.Select(SeqOf));
        Assert.Equal(atA.Select(r => r.Payload.GetProperty("message").GetString()), atB.Select(r => r.Payload.GetProperty("message").GetString()));
        var feedOfA = await onA.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0&limit=1000", s.TokenOf(Roles.Viewer));
        var feedOfB = await onB.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0&limit=1000", s.TokenOf(Roles.Viewer));
        Assert.Equal(ready + 100, feedOfA.GetProperty("items").GetArrayLength());
        Assert.True(JsonElement.DeepEquals(feedOfA, feedOfB), "the feed differs between the nodes");
    }

    [Fact]
    public async Task ConcurrentOverThresholdCounts_SentToBothNodes_OpenExactlyOneAlertPerKind()
    {
        using var onA = cluster.A.Api();
        using var onB = cluster.B.Api();
        var s = await onA.ScenarioAsync();
        await using var client = await HubRecorder.ConnectAsync(cluster.A.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));

        // The stage: threshold 50 over 2,000 m², so 9,000 people are both overcrowding and a critical density.
        await Task.WhenAll(Enumerable.Range(0, 16).Select(i => (i % 2 == 0 ? onA : onB).JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = $"cam-{i % 4}", zoneId = "stage", count = 9000 }, HttpStatusCode.Accepted)));

        var alerts = await onB.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.TokenOf(Roles.Operator));
        var kinds = alerts.EnumerateArray().Select(a => a.GetProperty("type").GetString()).Order().ToList();
        Assert.Equal(["density", "overcrowding"], kinds);
        // A sync point instead of a pause: every alert of those counts was published before they were answered, so it
        // has a lower seq than a report filed now, and the hub delivers in seq order.
        var marker = await onB.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "sync point", type = "other" }, HttpStatusCode.Created);
        var markerId = marker.GetProperty("id").GetString();
        var received = await client.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.ReportNew && x.Payload.GetProperty("id").GetString() == markerId));
        Assert.Equal(2, received.Count(x => x.Method == MessageTypes.AlertNew));
    }

    [Fact]
    public async Task PingsSentToB_AppearInTheSnapshotAndMapUpdateOfA()
    {
        using var onA = cluster.A.Api();
        using var onB = cluster.B.Api();
        var s = await onA.ScenarioAsync();
        await using var client = await HubRecorder.ConnectAsync(cluster.A.BaseAddress, s.EventId, s.TokenOf(Roles.Viewer));
        var devices = Enumerable.Range(0, 5).Select(i => $"phone-{i}").ToList();

        await onB.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(Roles.Device), new
        {
            eventId = s.EventId,
            pings = devices.Select((d, i) => new { lat = 51.5001 + i * 0.00002, lng = -0.0998, deviceId = d }),
        }, HttpStatusCode.Accepted);

        await Eventually.TrueAsync(async () =>
        {
            var snapshot = await onA.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.TokenOf(Roles.Viewer));
            return snapshot.GetProperty("points").GetArrayLength() == 5;
        }, because: "A's snapshot should count the pings sent to B");
        var update = (await client.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.MapUpdate))).First(x => x.Method == MessageTypes.MapUpdate);
        Assert.Equal(5, update.Payload.GetProperty("points").GetArrayLength());
        Assert.Equal(5, update.Payload.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("zoneId").GetString() == "gate-3").GetProperty("count").GetInt32());
    }

    [Fact]
    public async Task APageSessionSignedInOnA_WorksOnB()
    {
        using var onA = cluster.A.Api();
        var s = await onA.ScenarioAsync();
        var op = s.Users[Roles.Operator];
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await BrowserFixture.LaunchChromiumAsync(playwright);
        var page = await (await browser.NewContextAsync(new() { BaseURL = cluster.A.BaseAddress.ToString() })).NewPageAsync();

        await BrowserFixture.SignInAsync(page, $"/events/{s.EventId}", op.Email, op.Password);
        await page.WaitForURLAsync($"**/events/{s.EventId}");
        // Same host, other node: the cookie goes along, and B must accept what A's keys protected.
        await page.GotoAsync(new Uri(cluster.B.BaseAddress, $"/events/{s.EventId}").ToString());
        try
        {
            await Assertions.Expect(page.Locator("[data-testid=connection-status][data-state=connected]")).ToBeVisibleAsync(new() { Timeout = 60000 });
        }
        catch (PlaywrightException ex)
        {
            // What B logged is the only account of why it refused the page.
            throw new InvalidOperationException($"{ex.Message}\nNode B:\n{cluster.B.RecentLog}", ex);
        }
        await onA.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Seen on B, filed on A", type = "other" }, HttpStatusCode.Created);

        Assert.EndsWith($"/events/{s.EventId}", page.Url);
        Assert.StartsWith(cluster.B.BaseAddress.ToString(), page.Url);
        await Assertions.Expect(page.Locator("[data-testid=report-item]", new() { HasText = "Seen on B, filed on A" })).ToBeVisibleAsync(new() { Timeout = 10000 });
    }

    /// <summary>
    /// SignalR completes a client's start before the hub has added it to the event's group (a clean-clone run saw a
    /// client miss the first of 100 messages): "ready" reports until every client has one show all are in. Returns how
    /// many were posted; on the test's fresh event they are seq 1 to that number.
    /// </summary>
    private static async Task<int> UntilBothJoinedAsync(ApiClient api, Scenario s, params HubRecorder[] clients)
    {
        var ready = 0;
        while (!clients.All(c => c.Received.Any(x => x.Method == MessageTypes.ReportNew)))
        {
            Assert.True(++ready <= 25, "the clients never joined the event's group");
            await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "ready", type = "other" }, HttpStatusCode.Created);
            await Task.Delay(200);
        }
        return ready;
    }

    private static long SeqOf(Received r) => r.Payload.GetProperty("seq").GetInt64();
}
