using System.Diagnostics;
using System.Threading.Channels;
using CrowdShield.Core.Diagnostics;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Core.Map;

/// <summary>
/// Stores pings durably with group commit: concurrent requests queue their pings, one writer stores everything
/// queued in a single transaction, and each request is acknowledged only after that commit. Many small
/// requests then cost one disk flush between them instead of one each, without weakening the promise.
/// How one commit is written is the <see cref="IPingStore"/>'s business (prepared inserts, or PostgreSQL's COPY).
/// </summary>
public sealed class PingWriter : IAsyncDisposable
{
    private const int MaxPingsPerCommit = 20_000;

    private readonly IPingStore _store;
    private readonly CrowdShieldMetrics _metrics;
    private readonly ILogger<PingWriter> _logger;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new() { SingleReader = true });
    private readonly Task _loop;

    public PingWriter(IPingStore store, CrowdShieldMetrics metrics, ILogger<PingWriter> logger)
    {
        _store = store;
        _metrics = metrics;
        _logger = logger;
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>Completes when the pings are committed.</summary>
    public Task WriteAsync(IReadOnlyList<Ping> pings, CancellationToken cancellationToken = default)
    {
        var work = new Work(pings, new(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_queue.Writer.TryWrite(work))
        {
            throw new ObjectDisposedException(nameof(PingWriter));
        }
        return work.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task LoopAsync()
    {
        var batch = new List<Work>();
        while (await _queue.Reader.WaitToReadAsync().ConfigureAwait(false))
        {
            batch.Clear();
            var total = 0;
            while (total < MaxPingsPerCommit && _queue.Reader.TryRead(out var work))
            {
                batch.Add(work);
                total += work.Pings.Count;
            }
            try
            {
                using var activity = CrowdShieldMetrics.ActivitySource.StartActivity("pings.commit");
                activity?.SetTag("crowdshield.pings", total);
                var started = Stopwatch.GetTimestamp();
                await CommitAsync(batch).ConfigureAwait(false);
                _metrics.PingsCommitted(total, Stopwatch.GetElapsedTime(started));
                foreach (var work in batch)
                {
                    work.Done.TrySetResult();
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "Could not store {Count} pings", total);
                foreach (var work in batch)
                {
                    work.Done.TrySetException(ex);
                }
            }
        }
    }

    private Task CommitAsync(List<Work> batch) => _store.StoreAsync(batch.Select(w => w.Pings), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private sealed record Work(IReadOnlyList<Ping> Pings, TaskCompletionSource Done);
}
