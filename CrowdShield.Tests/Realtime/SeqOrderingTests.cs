using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Realtime;

/// <remarks>Runs on both providers: <see cref="SeqOrderingTests"/> (SQLite) and <see cref="SeqOrderingPostgresTests"/>.</remarks>
public abstract class SeqOrderingContract(AppFixture app)
{
    [Fact]
    public async Task FiftyConcurrentPublishers_GetGapFreeOrderedSeq_AndFeedMatchesBroadcast()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var bus = app.Services.GetRequiredService<IMessageBus>();
        var delivered = new ConcurrentQueue<RealtimeMessage>();
        using var subscription = bus.Subscribe(s.EventId, m => { delivered.Enqueue(m); return Task.CompletedTask; });
        const int publishers = 50, each = 10;

        var results = await Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            var mine = new List<long>();
            for (var i = 0; i < each; i++)
            {
                var message = await bus.PublishAsync(s.EventId, MessageTypes.ReportNew,
                    new ReportNewPayload($"{p}-{i}", $"publisher {p} message {i}", "other", DateTimeOffset.UtcNow, null, null, null, "test"));
                mine.Add(message.Seq);
            }
            return mine;
        })));

        var all = results.SelectMany(r => r).Order().ToList();
        Assert.Equal(Enumerable.Range(1, publishers * each).Select(i => (long)i), all);
        Assert.All(results, mine => Assert.Equal(mine.Order(), mine));
        await Eventually.TrueAsync(() => delivered.Count == publishers * each);
        Assert.Equal(all, delivered.Select(m => m.Seq));
        var feed = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/feed?after=0&limit=1000", s.AdminToken);
        var items = feed.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(all, items.Select(i => i.GetProperty("seq").GetInt64()));
        Assert.All(items.Zip(delivered), pair => Assert.True(JsonElement.DeepEquals(pair.First.GetProperty("payload"), pair.Second.Data)));
    }

    [Fact]
    public async Task FiftyConcurrentReports_OverHttp_ReachTheHubClientInSeqOrder()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var client = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));
        var field = s.TokenOf(Roles.Field);

        await Task.WhenAll(Enumerable.Range(0, 50).Select(i =>
            api.JsonAsync(HttpMethod.Post, "/api/v1/reports", field, new { eventId = s.EventId, message = $"report {i}", type = "other" }, HttpStatusCode.Created)));

        var received = await client.WaitForAsync(r => r.Count >= 50);
        Assert.Equal(Enumerable.Range(1, 50).Select(i => (long)i), received.Select(r => r.Payload.GetProperty("seq").GetInt64()));
        Assert.Equal(50, received.Select(r => r.Payload.GetProperty("message").GetString()).Distinct().Count());
    }
}

[Collection(AppCollection.Name)]
public sealed class SeqOrderingTests(AppFixture app) : SeqOrderingContract(app);

[Collection(PostgresCollection.Name)]
public sealed class SeqOrderingPostgresTests(PostgresAppFixture app) : SeqOrderingContract(app);
