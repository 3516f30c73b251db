using System.Buffers;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using CrowdShield.Web.Hosting;
using Microsoft.AspNetCore.SignalR;

namespace CrowdShield.Web.Realtime;

/// <summary>
/// Warms the hub's send path once the node listens, through a WebSocket of its own. A fresh node's first
/// <c>report:new</c> to hundreds of subscribers ran every per-connection step (the group send, the connection's
/// pipe, SignalR's WebSocket loop, Kestrel's socket loop) unoptimised, and the runtime re-compiled those steps on the
/// same core in the middle of that first fan-out: the first seconds after a start, exactly when a node takes over
/// after a failover, had two to three times the steady p99 (docs/benchmarks.md, "Eighth session"). Sending a few dozen
/// messages to one connection of our own gets that done before subscribers arrive.
/// <para>
/// Its hub (<see cref="WarmUpHub"/>) admits only this node's own connection: it answers 404 to anything without the
/// per-run random key, and to everything once the run is over. Its group is this run's alone, so nothing reaches a
/// real subscriber, and in a cluster no other node's warm-up either. The key travels only over loopback (or to the
/// node's own address), and only over plain HTTP: a node that listens on HTTPS alone skips the warm-up. Whatever
/// keeps it from connecting (host filtering that refuses the node's own address, say) is logged as a warning, and
/// the node serves without it.
/// </para>
/// </summary>
internal sealed class SendPathWarmUp(
    IServer server, IHubContext<WarmUpHub> hub, IHostApplicationLifetime lifetime, TimeProvider time, ILogger<SendPathWarmUp> logger)
    : BackgroundService
{
    public const string Path = "/hubs/warm-up";

    /// <summary>Past the 30 calls after which the runtime optimises a method, for the steps that run once per message.</summary>
    public const int Messages = 64;

    internal const string KeyHeader = "X-CrowdShield-Warm-Up";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
    private static readonly byte[] Handshake = Encoding.UTF8.GetBytes("{\"protocol\":\"json\",\"version\":1}\u001e");

    private readonly SemaphoreSlim _oneAtATime = new(1, 1);
    private readonly TaskCompletionSource<WarmUpResult> _firstRun = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Run? _run;

    /// <summary>The outcome of the run at start (each run also logs it).</summary>
    public Task<WarmUpResult> FirstRun => _firstRun.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WhenStartedAsync(stoppingToken);
            _firstRun.TrySetResult(await RunAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            _firstRun.TrySetCanceled(stoppingToken);
        }
    }

    /// <summary>One warm-up: connect, send <see cref="Messages"/> messages one at a time, each read before the next, close.</summary>
    public async Task<WarmUpResult> RunAsync(CancellationToken cancellationToken)
    {
        await _oneAtATime.WaitAsync(cancellationToken);
        var started = time.GetTimestamp();
        var run = new Run();
        try
        {
            if (OwnAddress() is not { } address)
            {
                logger.LogInformation("No plain-HTTP address to warm the hub's send path through; the first fan-out pays for it");
                return new WarmUpResult(WarmUpOutcome.Skipped, 0, TimeSpan.Zero);
            }
            Volatile.Write(ref _run, run);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Timeout);
            var delivered = await SendAndReceiveAsync(address, run, timeout.Token);
            var elapsed = time.GetElapsedTime(started);
            logger.LogInformation("Hub send path warmed up in {Milliseconds:N0} ms ({Delivered} messages)", elapsed.TotalMilliseconds, delivered);
            return new WarmUpResult(WarmUpOutcome.Warmed, delivered, elapsed);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            // Only a head start, like the report path's warm-up: the node serves without it.
            logger.LogWarning(ex, "Warming up the hub's send path failed; the first fan-out pays for it");
            return new WarmUpResult(WarmUpOutcome.Failed, run.Delivered, time.GetElapsedTime(started));
        }
        finally
        {
            Volatile.Write(ref _run, null);
            _oneAtATime.Release();
        }
    }

    /// <summary>Whether a request to the warm-up hub is this node's own connection of the run under way.</summary>
    public bool Admits(HttpContext context) =>
        Volatile.Read(ref _run) is { } run
        && context.Request.Headers[KeyHeader].ToString() is { Length: > 0 } presented
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(presented), Encoding.ASCII.GetBytes(run.Key));

    internal string? GroupFor(HttpContext context) => Admits(context) ? _run?.Group : null;

    internal void Joined(string group)
    {
        if (Volatile.Read(ref _run) is { } run && run.Group == group)
        {
            run.Joined.TrySetResult();
        }
    }

    private async Task<int> SendAndReceiveAsync(Uri address, Run run, CancellationToken cancellationToken)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader(KeyHeader, run.Key);
        // Straight to the WebSocket, without negotiating: the transport every subscriber of the benchmark and the
        // contract's clients use.
        await socket.ConnectAsync(new Uri(address, Path), cancellationToken);
        await socket.SendAsync(Handshake, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        var reader = new RecordReader(socket);
        var handshake = await reader.NextAsync(cancellationToken);
        if (handshake.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"The warm-up hub refused the handshake: {handshake}");
        }
        await run.Joined.Task.WaitAsync(cancellationToken);

        // A report as subscribers get it, through the same call as the bridge (SignalRSink): the hub protocol
        // writes a RawJson argument as it is.
        var report = HotPathWarmUp.SampleReport(time.GetUtcNow());
        var scratch = new ArrayBufferWriter<byte>();
        var group = hub.Clients.Group(run.Group);
        for (var seq = 1; seq <= Messages; seq++)
        {
            var json = RealtimeJson.Compose(report.EventId, seq, ReportService.ToPayload(report), scratch);
            await group.SendAsync(MessageTypes.ReportNew, json, cancellationToken);
            // One message in flight at a time, as a report fans out: each one goes through every step on its own.
            while (!(await reader.NextAsync(cancellationToken)).StartsWith("{\"type\":1,", StringComparison.Ordinal))
            {
            }
            run.Delivered = seq;
        }
        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "warmed up", cancellationToken);
        return run.Delivered;
    }

    /// <summary>Where this node can reach itself: its first plain-HTTP address, any-address bindings as loopback.</summary>
    private Uri? OwnAddress()
    {
        foreach (var address in server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [])
        {
            if (!address.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(address, UriKind.Absolute, out var uri))
            {
                continue;
            }
            var host = uri.Host is "0.0.0.0" or "[::]" or "localhost" ? "127.0.0.1" : uri.Host;
            return new Uri($"ws://{host}:{uri.Port}");
        }
        return null;
    }

    private Task WhenStartedAsync(CancellationToken cancellationToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        return started.Task.WaitAsync(cancellationToken);
    }

    /// <summary>One run's secret and private group; a run admits its own connection and nothing after it ends.</summary>
    private sealed class Run
    {
        public string Key { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(32));

        public string Group { get; } = $"warm-up:{Guid.NewGuid():N}";

        public TaskCompletionSource Joined { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public int Delivered { get; set; }
    }

    /// <summary>Reads the hub protocol's records (JSON text ended by 0x1E) from a client WebSocket.</summary>
    private sealed class RecordReader(WebSocket socket)
    {
        private readonly byte[] _buffer = new byte[16 * 1024];
        private readonly StringBuilder _pending = new();

        public async Task<string> NextAsync(CancellationToken cancellationToken)
        {
            while (true)
            {
                var end = _pending.ToString().IndexOf('\u001e', StringComparison.Ordinal);
                if (end >= 0)
                {
                    var record = _pending.ToString(0, end);
                    _pending.Remove(0, end + 1);
                    return record;
                }
                var received = await socket.ReceiveAsync(_buffer, cancellationToken);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new WebSocketException($"The warm-up hub closed the connection ({received.CloseStatus}).");
                }
                _pending.Append(Encoding.UTF8.GetString(_buffer, 0, received.Count));
            }
        }
    }
}

internal enum WarmUpOutcome { Warmed, Skipped, Failed }

internal sealed record WarmUpResult(WarmUpOutcome Outcome, int Delivered, TimeSpan Elapsed);

/// <summary>
/// The warm-up's own hub: one connection, this node's, for the length of one warm-up (<see cref="SendPathWarmUp"/>).
/// It receives nothing from clients and sends only to that connection's private group.
/// </summary>
internal sealed class WarmUpHub(SendPathWarmUp warmUp) : Hub
{
    public override async Task OnConnectedAsync()
    {
        // The endpoint already refused strangers; checking again keeps the hub shut if it is ever mapped without that.
        if (Context.GetHttpContext() is not { } http || warmUp.GroupFor(http) is not { } group)
        {
            Context.Abort();
            return;
        }
        await Groups.AddToGroupAsync(Context.ConnectionId, group);
        warmUp.Joined(group);
    }
}
