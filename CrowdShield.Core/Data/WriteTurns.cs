using System.Diagnostics;

namespace CrowdShield.Core.Data;

/// <summary>
/// Turns at a database that lets one writer in at a time (SQLite). Under a ping flood the ping store commits back to
/// back. Another writer that finds the lock taken sleeps and tries again (SQLite waits 1, 2, 5 … up to 100 ms between
/// tries), and it only got in when a try fell between two commits: the feed's writes, so every map:update, report and
/// alert, came late. So a writer says when it wants the lock (<see cref="Want"/>), and the ping store holds its next
/// commit back until nobody does (<see cref="LetOthersFirst"/>).
/// </summary>
public sealed class WriteTurns
{
    /// <summary>The longest one commit of pings is held back: its requests wait for their 202 meanwhile.</summary>
    public static readonly TimeSpan MostHeldBack = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Wants stop holding pings back this long after the last one began. A writer that never said it was done (a bug)
    /// then costs pings at most 50 ms a commit while other writes keep coming, and nothing once they stop.
    /// </summary>
    public static readonly TimeSpan Forgotten = TimeSpan.FromMilliseconds(500);

    private int _wanting;
    private long _lastWant;

    /// <summary>Whether a writer is waiting for the lock or holding it.</summary>
    public bool Wanted => Volatile.Read(ref _wanting) > 0 && Stopwatch.GetElapsedTime(Volatile.Read(ref _lastWant)) < Forgotten;

    /// <summary>Marks a write from now until the returned turn is disposed.</summary>
    public Turn Want()
    {
        Enter();
        return new Turn(this);
    }

    /// <summary>The start of a write, for callers that cannot hold a <see cref="Turn"/> (EF's interceptors); pairs with <see cref="Leave"/>.</summary>
    public void Enter()
    {
        Volatile.Write(ref _lastWant, Stopwatch.GetTimestamp());
        Interlocked.Increment(ref _wanting);
    }

    public void Leave() => Interlocked.Decrement(ref _wanting);

    /// <summary>Waits (on this thread) while another writer wants the lock, at most <see cref="MostHeldBack"/>.</summary>
    public void LetOthersFirst()
    {
        var started = Stopwatch.GetTimestamp();
        while (Wanted && Stopwatch.GetElapsedTime(started) < MostHeldBack)
        {
            Thread.Sleep(1);
        }
    }

    public readonly struct Turn(WriteTurns turns) : IDisposable
    {
        public void Dispose() => turns.Leave();
    }
}
