using CrowdShield.Core.Realtime;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Core;

public sealed class FeedStoreTests
{
    private static FeedEntry Entry(string eventId, long seq, DateTimeOffset at) =>
        new() { EventId = eventId, Seq = seq, Type = MessageTypes.ReportNew, Payload = "{}"u8.ToArray(), At = at };

    [Fact]
    public async Task Purge_RemovesOldMessages_ButKeepsEachEventsNewest_SoSeqSurvivesARestart()
    {
        using var db = new TestDatabase();
        var store = new EfFeedStore(db);
        var now = new DateTimeOffset(2026, 7, 4, 12, 0, 0, TimeSpan.Zero);
        await store.AppendAsync([
            Entry("a", 1, now.AddHours(-5)), Entry("a", 2, now.AddHours(-4)), Entry("a", 3, now.AddMinutes(-10)),
            Entry("b", 1, now.AddHours(-6)), Entry("b", 2, now.AddHours(-5)),
        ], CancellationToken.None);

        var purged = await store.PurgeAsync(now.AddHours(-2), CancellationToken.None);

        Assert.Equal(3, purged);
        Assert.Equal([3L], (await store.ReadAsync("a", 0, 100, CancellationToken.None)).Select(e => e.Seq));
        Assert.Equal([2L], (await store.ReadAsync("b", 0, 100, CancellationToken.None)).Select(e => e.Seq));
        Assert.Equal(2, await store.GetLastSeqAsync("b", CancellationToken.None));
    }
}
