using CrowdShield.Core.Data;
using CrowdShield.Core.Realtime;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Core;

public sealed class FeedStoreTests
{
    private static FeedEntry Entry(FeedDraft draft, long seq, DateTimeOffset at) =>
        new() { EventId = draft.EventId, Seq = seq, Type = draft.Type, Payload = "{}"u8.ToArray(), At = at };

    [Fact]
    public async Task Append_GivesEachEventItsNextSeqs_InTheOrderGiven()
    {
        using var db = new TestDatabase();
        var store = new EfFeedStore(db, new WriteTurns());
        var now = DateTimeOffset.UtcNow;

        await store.AppendAsync([new("a", MessageTypes.ReportNew, new { }), new("b", MessageTypes.ReportNew, new { })], (d, s) => Entry(d, s, now), CancellationToken.None);
        var second = await store.AppendAsync(
            [new("a", MessageTypes.ReportNew, new { }), new("b", MessageTypes.ReportNew, new { }), new("a", MessageTypes.AlertNew, new { })],
            (d, s) => Entry(d, s, now), CancellationToken.None);

        Assert.Equal(["a#2", "b#2", "a#3"], second.Select(e => $"{e.EventId}#{e.Seq}"));
        Assert.Equal(new Dictionary<string, long> { ["a"] = 3, ["b"] = 2 }, await store.GetLastSeqsAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Purge_RemovesOldMessages_AndTheCounterKeepsTheLastSeq()
    {
        using var db = new TestDatabase();
        var store = new EfFeedStore(db, new WriteTurns());
        var now = new DateTimeOffset(2026, 7, 4, 12, 0, 0, TimeSpan.Zero);
        var ages = new[] { now.AddHours(-5), now.AddHours(-4), now.AddMinutes(-10) };
        var i = 0;
        await store.AppendAsync([.. ages.Select(_ => new FeedDraft("a", MessageTypes.ReportNew, new { }))], (d, s) => Entry(d, s, ages[i++]), CancellationToken.None);

        var purged = await store.PurgeAsync(now.AddHours(-2), CancellationToken.None);

        Assert.Equal(2, purged);
        Assert.Equal([3L], (await store.ReadAsync("a", 0, 100, CancellationToken.None)).Select(e => e.Seq));
        Assert.Equal(3, await store.GetLastSeqAsync("a", CancellationToken.None));
    }
}
