using System.Collections.Concurrent;
using System.Text.Json;
using CrowdShield.Core.Realtime;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CrowdShield.Tests.Infrastructure;

public sealed record Received(string Method, JsonElement Payload);

/// <summary>A real SignalR client that records every one of the seven contract methods it receives.</summary>
public sealed class HubRecorder : IAsyncDisposable
{
    private readonly ConcurrentQueue<Received> _received = new();
    private readonly SemaphoreSlim _signal = new(0);

    private HubRecorder(HubConnection connection)
    {
        Connection = connection;
        foreach (var method in MessageTypes.All)
        {
            connection.On<JsonElement>(method, payload =>
            {
                _received.Enqueue(new Received(method, payload));
                _signal.Release();
            });
        }
    }

    public HubConnection Connection { get; }

    public IReadOnlyList<Received> Received => [.. _received];

    public static HubConnection Build(Uri baseAddress, string eventId, string? token, HttpTransportType transport) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(baseAddress, $"/hubs/events?eventId={Uri.EscapeDataString(eventId)}"), options =>
            {
                options.Transports = transport;
                if (token is not null)
                {
                    options.AccessTokenProvider = () => Task.FromResult<string?>(token);
                }
            })
            .Build();

    public static async Task<HubRecorder> ConnectAsync(Uri baseAddress, string eventId, string token, HttpTransportType transport = HttpTransportType.WebSockets)
    {
        var recorder = new HubRecorder(Build(baseAddress, eventId, token, transport));
        await recorder.Connection.StartAsync();
        return recorder;
    }

    /// <summary>Waits until <paramref name="predicate"/> holds for what was received, or fails after the timeout.</summary>
    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<IReadOnlyList<Received>, bool> predicate, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            var snapshot = Received;
            if (predicate(snapshot))
            {
                return snapshot;
            }
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"Timed out; received: {string.Join(", ", snapshot.Select(r => r.Method))}");
            }
            await _signal.WaitAsync(left);
        }
    }

    public async ValueTask DisposeAsync() => await Connection.DisposeAsync();
}
