using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdShield.Benchmarks;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

// CrowdShield load benchmark: a Release server process on 127.0.0.1, driven from this process.
// Usage: dotnet <this>.dll --server path/to/CrowdShield.Web.dll [--seconds 10] [--runs 3] [--subscribers 500] [--rate 20]
//        [--fanout-seconds 15] [--fanout-runs 3] [--dashboards 20] [--dashboard-client chromium|circuit]
//        (Chromium dashboards need Debian's chromium; circuit ones are CircuitClient; --dashboards 0 skips them)
//        dotnet <this>.dll publishers --urls A,B ...   seq under concurrent publishers on several nodes (Publishers.cs)
//        dotnet <this>.dll zones [--zones 500]          which zones hold a ping, with many zones (ZoneLookup.cs)
//        dotnet <this>.dll soak --server … [--minutes 30]  a long steady load, sampled every minute (Soak.cs)
if (args is ["publishers", ..])
{
    return await Publishers.RunAsync(args);
}
if (args is ["zones", ..])
{
    return ZoneLookup.Run(args);
}
if (args is ["soak", ..])
{
    return await Soak.RunAsync(args);
}
var settings = Settings.Parse(args);
Console.WriteLine($"CrowdShield benchmark: {Environment.ProcessorCount} cores, {settings.Runs} runs of {settings.Seconds} s, {settings.FanOutRuns} fan-out runs to {settings.Subscribers} at {settings.Rate}/s");

await using var server = await ServerProcess.StartAsync(settings.ServerDll);
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
{
    BaseAddress = server.BaseAddress,
    Timeout = TimeSpan.FromSeconds(30),
};
var admin = await BenchApi.LoginAsync(http, ServerProcess.AdminEmail, ServerProcess.AdminPassword);
var eventId = await BenchApi.CreateEventAsync(http, admin);
var device = await BenchApi.CreateUserAsync(http, admin, "device", eventId);
var operatorToken = await BenchApi.CreateUserAsync(http, admin, "operator", eventId);
var viewer = await BenchApi.CreateUserAsync(http, admin, "viewer", eventId);
var fieldToken = await BenchApi.CreateUserAsync(http, admin, "field", eventId);
var dashboardOperator = $"dashboards-{Guid.NewGuid():N}@bench.local";
await BenchApi.CreateUserAsync(http, admin, "operator", eventId, dashboardOperator);

// Fan-out first, on a fresh server: run after the ingest it would measure the disk catching up with
// millions of pings (the WAL checkpoint), not the fan-out.
var fanouts = new List<FanOutResult>();
for (var run = 0; run < settings.FanOutRuns; run++)
{
    fanouts.Add(await FanOutAsync(server.BaseAddress, http, operatorToken, viewer, eventId, settings));
    Console.WriteLine($"  fan-out run {run + 1}: {fanouts[^1].Delivered:P2} delivered, p50 {fanouts[^1].P50:N1} ms, p99 {fanouts[^1].P99:N1} ms");
}
var fanout = fanouts.OrderBy(f => f.P99).ElementAt(fanouts.Count / 2);
var fanoutPeak = server.PeakMemoryMb();

var singleBodies = PingBodies(eventId, batch: 1);
var batchBodies = PingBodies(eventId, batch: 100);

await IngestAsync(http, device, singleBodies, 1, settings.Clients, TimeSpan.FromSeconds(2)); // warm-up
var single = new List<double>();
var batched = new List<double>();
for (var run = 0; run < settings.Runs; run++)
{
    single.Add(await IngestAsync(http, device, singleBodies, 1, settings.Clients, TimeSpan.FromSeconds(settings.Seconds)));
    Console.WriteLine($"  single-ping run {run + 1}: {single[^1]:N0} pings/s");
    batched.Add(await IngestAsync(http, device, batchBodies, 100, settings.Clients, TimeSpan.FromSeconds(settings.Seconds)));
    Console.WriteLine($"  batched run {run + 1}: {batched[^1]:N0} pings/s");
}
var peak = server.PeakMemoryMb();

// Dashboards last: their circuits are a different load, measured on their own.
DashboardResult? dashboards = null;
if (settings.Dashboards > 0)
{
    dashboards = await Dashboards.RunAsync(server, http, eventId, dashboardOperator, "Bench-Passw0rd!", fieldToken, admin, settings.Dashboards, 30, settings.DashboardClient);
}
var peakWithDashboards = server.PeakMemoryMb();


Console.WriteLine();
Console.WriteLine("| measure | median | runs |");
Console.WriteLine("|---|---|---|");
Console.WriteLine($"| single-ping ingest, {settings.Clients} clients | {Median(single):N0} pings/s | {string.Join(", ", single.Select(v => v.ToString("N0")))} |");
Console.WriteLine($"| batched ingest (100/request), {settings.Clients} clients | {Median(batched):N0} pings/s | {string.Join(", ", batched.Select(v => v.ToString("N0")))} |");
Console.WriteLine($"| report:new fan-out to {settings.Subscribers} WebSockets at {settings.Rate}/s: delivered | {fanouts.Min(f => f.Delivered):P2} (worst run) | {string.Join(", ", fanouts.Select(f => $"{f.Received:N0} of {f.Expected:N0}"))} |");
Console.WriteLine($"| fan-out latency POST → receipt, p50 / p99 (median run) | {fanout.P50:N1} ms / {fanout.P99:N1} ms | p99 of each run: {string.Join(", ", fanouts.Select(f => f.P99.ToString("N1")))} ms |");
Console.WriteLine($"| report POST → 201 (stored in the feed), p50 / p99 | {fanout.PostP50:N1} ms / {fanout.PostP99:N1} ms | |");
if (dashboards is not null)
{
    Console.WriteLine($"| API call → on screen, {dashboards.Dashboards} operator dashboards ({dashboards.Client}), p50 / p95 | {dashboards.P50:N0} ms / {dashboards.P95:N0} ms | max {dashboards.Max:N0} ms, {dashboards.Samples} of {dashboards.Expected} seen |");
    Console.WriteLine($"| server memory per connected dashboard circuit | {dashboards.KbPerCircuit:N0} KB | managed heap after full GC, growth / circuits |");
}
Console.WriteLine($"| server peak memory (VmHWM), fan-out and ingest | {peak:N0} MB | after fan-out {fanoutPeak:N0} MB; with the dashboards after {peakWithDashboards:N0} MB |");
return 0;

static double Median(List<double> values) => values.Count == 0 ? double.NaN : values.Order().ElementAt(values.Count / 2);

// Pre-serialized bodies, so the client spends its CPU on sending, not on JSON: 20,000 phones moving around the venue.
static byte[][] PingBodies(string eventId, int batch)
{
    var random = new Random(42);
    object Ping() => new
    {
        lat = 51.555 + random.NextDouble() * 0.002,
        lng = -0.2815 + random.NextDouble() * 0.004,
        accuracy = 5 + random.NextDouble() * 20,
        deviceId = $"phone-{random.Next(20_000)}",
    };
    return [.. Enumerable.Range(0, 512).Select(_ => batch == 1
        ? JsonSerializer.SerializeToUtf8Bytes(new { eventId, lat = 51.555 + random.NextDouble() * 0.002, lng = -0.2815 + random.NextDouble() * 0.004, deviceId = $"phone-{random.Next(20_000)}" })
        : JsonSerializer.SerializeToUtf8Bytes(new { eventId, pings = Enumerable.Range(0, batch).Select(_ => Ping()).ToArray() }))];
}

static async Task<double> IngestAsync(HttpClient http, string token, byte[][] bodies, int pingsPerRequest, int clients, TimeSpan duration)
{
    var accepted = 0L;
    var failed = 0L;
    var stopwatch = Stopwatch.StartNew();
    var auth = new AuthenticationHeaderValue("Bearer", token);
    await Task.WhenAll(Enumerable.Range(0, clients).Select(c => Task.Run(async () =>
    {
        var i = c;
        while (stopwatch.Elapsed < duration)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/pings") { Content = new ByteArrayContent(bodies[i++ % bodies.Length]) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = auth;
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode == 202)
            {
                Interlocked.Add(ref accepted, pingsPerRequest);
            }
            else
            {
                Interlocked.Increment(ref failed);
            }
        }
    })));
    if (failed > 0)
    {
        Console.WriteLine($"  ({failed} requests were not accepted)");
    }
    return accepted / stopwatch.Elapsed.TotalSeconds;
}

static async Task<FanOutResult> FanOutAsync(Uri baseAddress, HttpClient http, string operatorToken, string viewerToken, string eventId, Settings settings)
{
    var reports = settings.Rate * settings.FanOutSeconds;
    var sentAt = new long[reports];
    var postLatencies = new ConcurrentBag<double>();
    var latencies = new ConcurrentBag<double>();
    var received = 0L;
    var connections = new List<HubConnection>(settings.Subscribers);
    for (var batch = 0; batch < settings.Subscribers; batch += 50)
    {
        var started = await Task.WhenAll(Enumerable.Range(batch, Math.Min(50, settings.Subscribers - batch)).Select(async _ =>
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(baseAddress, $"/hubs/events?eventId={eventId}"), o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(viewerToken);
                })
                .Build();
            connection.On<ReportProbe>("report:new", payload =>
            {
                var now = Stopwatch.GetTimestamp();
                if (payload.Message is { } text && text.StartsWith("bench ", StringComparison.Ordinal)
                    && int.TryParse(text.AsSpan(6), out var index) && index < sentAt.Length)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sentAt[index], now).TotalMilliseconds);
                    Interlocked.Increment(ref received);
                }
            });
            await connection.StartAsync();
            return connection;
        }));
        connections.AddRange(started);
    }
    Console.WriteLine($"  {connections.Count} subscribers connected; sending {reports} reports at {settings.Rate}/s");

    var auth = new AuthenticationHeaderValue("Bearer", operatorToken);
    // One second of unmeasured reports first, so the measured ones see a warmed-up server (JIT, pools), as in steady operation.
    for (var i = 0; i < settings.Rate; i++)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = JsonContent.Create(new { eventId, message = $"warm-up {i}", type = "other" }) };
        request.Headers.Authorization = auth;
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        await Task.Delay(1000 / settings.Rate);
    }
    var posts = new List<Task>(reports);
    using (var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / settings.Rate)))
    {
        for (var i = 0; i < reports; i++)
        {
            await timer.WaitForNextTickAsync();
            var index = i;
            posts.Add(Task.Run(async () =>
            {
                var body = JsonSerializer.SerializeToUtf8Bytes(new { eventId, message = $"bench {index}", type = "other" });
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = auth;
                sentAt[index] = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                postLatencies.Add(Stopwatch.GetElapsedTime(sentAt[index]).TotalMilliseconds);
                response.EnsureSuccessStatusCode();
            }));
        }
    }
    await Task.WhenAll(posts);
    var expected = (long)reports * connections.Count;
    var deadline = Stopwatch.StartNew();
    while (Interlocked.Read(ref received) < expected && deadline.Elapsed < TimeSpan.FromSeconds(10))
    {
        await Task.Delay(50);
    }
    await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));
    var sorted = latencies.Order().ToArray();
    var postSorted = postLatencies.Order().ToArray();
    return new FanOutResult(received, expected, (double)received / expected, Percentile(sorted, 0.5), Percentile(sorted, 0.99), sorted.LastOrDefault(),
        Percentile(postSorted, 0.5), Percentile(postSorted, 0.99));
}

static double Percentile(double[] sorted, double p) =>
    sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

/// <summary>The one field of report:new the benchmark reads; the client skips the rest.</summary>
internal sealed record ReportProbe(string? Message);

internal sealed record FanOutResult(long Received, long Expected, double Delivered, double P50, double P99, double Max, double PostP50, double PostP99);

internal sealed record Settings(string ServerDll, int Seconds, int Runs, int Clients, int Subscribers, int Rate, int FanOutSeconds, int Dashboards, int FanOutRuns, DashboardClient DashboardClient)
{
    public static Settings Parse(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var server = Get("--server", "");
        if (!File.Exists(server))
        {
            throw new ArgumentException("--server must name the built CrowdShield.Web.dll (bench/run.sh does this).");
        }
        return new Settings(Path.GetFullPath(server), int.Parse(Get("--seconds", "10")), int.Parse(Get("--runs", "3")),
            int.Parse(Get("--clients", "16")), int.Parse(Get("--subscribers", "500")), int.Parse(Get("--rate", "20")),
            int.Parse(Get("--fanout-seconds", "15")), int.Parse(Get("--dashboards", "20")), int.Parse(Get("--fanout-runs", "3")),
            Enum.Parse<DashboardClient>(Get("--dashboard-client", "chromium"), ignoreCase: true));
    }
}
