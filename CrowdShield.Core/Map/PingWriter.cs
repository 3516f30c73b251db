using System.Data.Common;
using System.Threading.Channels;
using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Core.Map;

/// <summary>
/// Stores pings durably with group commit: concurrent requests queue their pings, one writer stores everything
/// queued in a single transaction, and each request is acknowledged only after that commit. Many small
/// requests then cost one disk flush between them instead of one each, without weakening the promise.
/// Plain ADO.NET on the context's connection: provider-neutral SQL, no change tracking on the hot path.
/// </summary>
public sealed class PingWriter : IAsyncDisposable
{
    private const int MaxPingsPerCommit = 20_000;

    private readonly IDbContextFactory<CrowdShieldDb> _dbFactory;
    private readonly ILogger<PingWriter> _logger;
    private readonly Channel<Work> _queue = Channel.CreateUnbounded<Work>(new() { SingleReader = true });
    private readonly Task _loop;

    public PingWriter(IDbContextFactory<CrowdShieldDb> dbFactory, ILogger<PingWriter> logger)
    {
        _dbFactory = dbFactory;
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
                await CommitAsync(batch).ConfigureAwait(false);
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

    private async Task CommitAsync(List<Work> batch)
    {
        await using var db = await _dbFactory.CreateDbContextAsync().ConfigureAwait(false);
        var connection = db.Database.GetDbConnection();
        await connection.OpenAsync().ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync().ConfigureAwait(false);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText =
            """INSERT INTO "pings" ("EventId", "Lat", "Lng", "Accuracy", "DeviceId", "RecordedAt", "ExpiresAt") VALUES (@e, @lat, @lng, @acc, @dev, @rec, @exp)""";
        var eventId = Add(command, "@e");
        var lat = Add(command, "@lat");
        var lng = Add(command, "@lng");
        var accuracy = Add(command, "@acc");
        var device = Add(command, "@dev");
        var recorded = Add(command, "@rec");
        var expires = Add(command, "@exp");
        await command.PrepareAsync().ConfigureAwait(false);
        foreach (var work in batch)
        {
            foreach (var ping in work.Pings)
            {
                eventId.Value = ping.EventId;
                lat.Value = ping.Lat;
                lng.Value = ping.Lng;
                accuracy.Value = (object?)ping.Accuracy ?? DBNull.Value;
                device.Value = (object?)ping.DeviceId ?? DBNull.Value;
                // The same representation as the model's DateTimeOffset convention (UTC Unix milliseconds).
                recorded.Value = ping.RecordedAt.ToUnixTimeMilliseconds();
                expires.Value = ping.ExpiresAt.ToUnixTimeMilliseconds();
                await command.ExecuteNonQueryAsync().ConfigureAwait(false);
            }
        }
        await transaction.CommitAsync().ConfigureAwait(false);
    }

    private static DbParameter Add(DbCommand command, string name)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        command.Parameters.Add(parameter);
        return parameter;
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _loop.ConfigureAwait(false);
    }

    private sealed record Work(IReadOnlyList<Ping> Pings, TaskCompletionSource Done);
}
