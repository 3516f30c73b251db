using System.Diagnostics;
using CrowdShield.Core.Data;

namespace CrowdShield.Tests.Core;

/// <summary>Turns at SQLite's one write lock: a writer that wants it holds the ping store's next commit back, for a bounded time.</summary>
public sealed class WriteTurnsTests
{
    [Fact]
    public void AWrite_IsWantedFromItsStartToItsEnd()
    {
        var turns = new WriteTurns();
        Assert.False(turns.Wanted);

        using (turns.Want())
        {
            turns.Enter();
            Assert.True(turns.Wanted);
            turns.Leave();
            Assert.True(turns.Wanted);
        }

        Assert.False(turns.Wanted);
    }

    [Fact]
    public void AWantThatIsNeverReleased_HoldsPingsBackForABoundedTime_AndIsForgotten()
    {
        var turns = new WriteTurns();
        turns.Enter();

        var started = Stopwatch.GetTimestamp();
        turns.LetOthersFirst();
        Assert.True(Stopwatch.GetElapsedTime(started) >= WriteTurns.MostHeldBack - TimeSpan.FromMilliseconds(1));

        Thread.Sleep(WriteTurns.Forgotten + TimeSpan.FromMilliseconds(50));
        Assert.False(turns.Wanted);
    }

    [Fact]
    public async Task PingsWait_UntilTheWriterThatWantedTheLockIsDone()
    {
        var turns = new WriteTurns();
        var writer = turns.Want();
        var heldBack = Task.Run(() =>
        {
            var started = Stopwatch.GetTimestamp();
            turns.LetOthersFirst();
            return (started, ended: Stopwatch.GetTimestamp());
        });

        await Task.Delay(20);
        var left = Stopwatch.GetTimestamp();
        writer.Dispose();
        var (pingsStarted, pingsEnded) = await heldBack;

        // Until the writer was done, or until the bound if this machine was too slow to get there first.
        var bound = pingsStarted + (long)(WriteTurns.MostHeldBack.TotalSeconds * Stopwatch.Frequency);
        Assert.True(pingsEnded >= Math.Min(left, bound), "The pings went ahead while another writer wanted the lock.");
    }
}
