using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;

namespace CrowdShield.Benchmarks;

/// <summary>
/// A long, steady day at the venue: the demo simulator running, phones pinging at a steady rate, 50 subscribers
/// following a benchmark event and an operator posting reports. Every minute it samples the server's resident
/// memory, managed heap, thread count and that minute's fan-out p99; at the end it writes the samples (CSV) and a
/// plot (SVG), and says whether memory and threads stayed flat.
/// </summary>
/// <remarks>dotnet &lt;this&gt;.dll soak --server path/to/CrowdShield.Web.dll [--minutes 30] [--subscribers 50] [--pings 200] [--reports 2] [--out docs/soak]</remarks>
internal static class Soak
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var serverDll = Path.GetFullPath(Get("--server", ""));
        var minutes = int.Parse(Get("--minutes", "30"), CultureInfo.InvariantCulture);
        var subscribers = int.Parse(Get("--subscribers", "50"), CultureInfo.InvariantCulture);
        var pingsPerSecond = int.Parse(Get("--pings", "200"), CultureInfo.InvariantCulture);
        var reportsPerSecond = int.Parse(Get("--reports", "2"), CultureInfo.InvariantCulture);
        var output = Get("--out", "soak");

        // The demo simulator is part of a real day's load: its venue, phones, cameras and reports run throughout.
        await using var server = await ServerProcess.StartAsync(serverDll, new Dictionary<string, string>
        {
            ["Demo__Enabled"] = "true",
            ["Demo__AllowInProduction"] = "true",
        });
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        var admin = await BenchApi.LoginAsync(http, ServerProcess.AdminEmail, ServerProcess.AdminPassword);
        var eventId = await BenchApi.CreateEventAsync(http, admin);
        var device = await BenchApi.CreateUserAsync(http, admin, "device", eventId);
        var operatorToken = await BenchApi.CreateUserAsync(http, admin, "operator", eventId);
        var viewer = await BenchApi.CreateUserAsync(http, admin, "viewer", eventId);
        Console.WriteLine($"soak: {minutes} min, {subscribers} subscribers, {pingsPerSecond} pings/s, {reportsPerSecond} reports/s, demo running");

        var sentAt = new ConcurrentDictionary<int, long>();
        var window = new ConcurrentBag<double>();
        var connections = await Task.WhenAll(Enumerable.Range(0, subscribers).Select(async _ =>
        {
            var connection = new HubConnectionBuilder()
                .WithUrl(new Uri(server.BaseAddress, $"/hubs/events?eventId={eventId}"), o =>
                {
                    o.Transports = HttpTransportType.WebSockets;
                    o.SkipNegotiation = true;
                    o.AccessTokenProvider = () => Task.FromResult<string?>(viewer);
                })
                .WithAutomaticReconnect()
                .Build();
            connection.On<ReportProbe>("report:new", payload =>
            {
                var now = Stopwatch.GetTimestamp();
                if (payload.Message is { } text && text.StartsWith("soak ", StringComparison.Ordinal)
                    && int.TryParse(text.AsSpan(5), out var index) && sentAt.TryGetValue(index, out var at))
                {
                    window.Add(Stopwatch.GetElapsedTime(at, now).TotalMilliseconds);
                }
            });
            await connection.StartAsync();
            return connection;
        }));

        using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(minutes));
        var failures = 0L;
        var pinger = Task.Run(() => PingAsync(http, device, eventId, pingsPerSecond, () => Interlocked.Increment(ref failures), stop.Token));
        var reporter = Task.Run(() => ReportAsync(http, operatorToken, eventId, reportsPerSecond, sentAt, () => Interlocked.Increment(ref failures), stop.Token));

        var samples = new List<Sample>();
        var clock = Stopwatch.StartNew();
        Console.WriteLine("| minute | RSS MB | managed heap MB | threads | fan-out p99 ms | deliveries |");
        Console.WriteLine("|---|---|---|---|---|---|");
        for (var minute = 1; minute <= minutes; minute++)
        {
            var due = TimeSpan.FromMinutes(minute) - clock.Elapsed;
            if (due > TimeSpan.Zero)
            {
                await Task.Delay(due);
            }
            var latencies = Drain(window);
            var heap = await ManagedHeapMbAsync(http, admin);
            var sample = new Sample(minute, server.CurrentMemoryMb(), heap, server.Threads(), Percentile(latencies, 0.99), latencies.Length);
            samples.Add(sample);
            Console.WriteLine($"| {sample.Minute} | {sample.RssMb:N0} | {sample.HeapMb:N1} | {sample.Threads} | {sample.FanOutP99Ms:N1} | {sample.Deliveries:N0} |");
        }
        await stop.CancelAsync();
        await Task.WhenAll(pinger, reporter);
        await Task.WhenAll(connections.Select(c => c.DisposeAsync().AsTask()));

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        await File.WriteAllLinesAsync(output + ".csv",
            ["minute,rss_mb,heap_mb,threads,fanout_p99_ms,deliveries", .. samples.Select(s => string.Create(CultureInfo.InvariantCulture,
                $"{s.Minute},{s.RssMb:0.0},{s.HeapMb:0.00},{s.Threads},{s.FanOutP99Ms:0.0},{s.Deliveries}"))]);
        await File.WriteAllTextAsync(output + ".svg", Plot(samples));
        Console.WriteLine();
        Console.WriteLine(Verdict(samples));
        Console.WriteLine($"{failures} requests failed; samples in {output}.csv, plot in {output}.svg");
        return 0;
    }

    private static async Task PingAsync(HttpClient http, string token, string eventId, int perSecond, Action failed, CancellationToken stop)
    {
        // Ten requests a second of perSecond/10 pings from 2,000 phones walking around the benchmark venue.
        var random = new Random(7);
        var auth = new AuthenticationHeaderValue("Bearer", token);
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await Tick(timer, stop))
        {
            var body = new
            {
                eventId,
                pings = Enumerable.Range(0, Math.Max(1, perSecond / 10)).Select(_ => new
                {
                    lat = 51.555 + random.NextDouble() * 0.002, lng = -0.2815 + random.NextDouble() * 0.004, deviceId = $"phone-{random.Next(2_000)}",
                }).ToArray(),
            };
            await SendAsync(http, "/api/v1/pings", auth, body, failed);
        }
    }

    private static async Task ReportAsync(HttpClient http, string token, string eventId, int perSecond, ConcurrentDictionary<int, long> sentAt, Action failed,
        CancellationToken stop)
    {
        var auth = new AuthenticationHeaderValue("Bearer", token);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1.0 / perSecond));
        for (var index = 0; await Tick(timer, stop); index++)
        {
            sentAt[index] = Stopwatch.GetTimestamp();
            sentAt.TryRemove(index - 10_000, out _);
            await SendAsync(http, "/api/v1/reports", auth, new { eventId, message = $"soak {index}", type = "other" }, failed);
        }
    }

    private static async Task<bool> Tick(PeriodicTimer timer, CancellationToken stop)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stop);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    private static async Task SendAsync(HttpClient http, string path, AuthenticationHeaderValue auth, object body, Action failed)
    {
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
            request.Headers.Authorization = auth;
            using var response = await http.SendAsync(request);
            if (!response.IsSuccessStatusCode)
            {
                failed();
            }
        }
        catch (HttpRequestException)
        {
            failed();
        }
    }

    /// <summary>The managed heap without forcing a collection: a soak must not change what it measures.</summary>
    private static async Task<double> ManagedHeapMbAsync(HttpClient http, string admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/diagnostics");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("managedHeapMb").GetDouble();
    }

    private static double[] Drain(ConcurrentBag<double> bag)
    {
        var values = new List<double>();
        while (bag.TryTake(out var value))
        {
            values.Add(value);
        }
        values.Sort();
        return [.. values];
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    /// <summary>
    /// Flat means the last third of the run is not above the middle third by more than a margin: memory and threads
    /// settle after start-up (caches, pools, the JIT), so the first third is left out.
    /// </summary>
    internal static string Verdict(IReadOnlyList<Sample> samples)
    {
        if (samples.Count < 6)
        {
            return "too short for a verdict (fewer than 6 minutes)";
        }
        var third = samples.Count / 3;
        var middle = samples.Skip(third).Take(third).ToList();
        var last = samples.Skip(2 * third).ToList();
        string Check(string name, Func<Sample, double> value, double margin)
        {
            var before = middle.Average(value);
            var after = last.Average(value);
            var growth = before == 0 ? 0 : (after - before) / before;
            return $"{name} {before:N1} → {after:N1} ({growth:+0.0%;-0.0%}): {(growth <= margin ? "flat" : "GROWING")}";
        }
        return string.Join("; ", Check("RSS MB", s => s.RssMb, 0.05), Check("managed heap MB", s => s.HeapMb, 0.10),
            Check("threads", s => s.Threads, 0.10), Check("fan-out p99 ms", s => s.FanOutP99Ms, 0.25));
    }

    /// <summary>Four small line charts, one per measure, against the minute: plain SVG, no library.</summary>
    internal static string Plot(IReadOnlyList<Sample> samples)
    {
        (string Title, Func<Sample, double> Value, string Colour)[] panels =
        [
            ("Resident memory (MB)", s => s.RssMb, "#2E86DE"),
            ("Managed heap (MB)", s => s.HeapMb, "#10AC84"),
            ("Threads", s => s.Threads, "#EE5253"),
            ("Fan-out p99 (ms)", s => s.FanOutP99Ms, "#F39C12"),
        ];
        const int width = 900, panelHeight = 170, left = 60, right = 20, top = 30, bottom = 30;
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{panels.Length * panelHeight}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.Append(CultureInfo.InvariantCulture, $"<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
        var maxMinute = Math.Max(1, samples.Max(s => s.Minute));
        for (var p = 0; p < panels.Length; p++)
        {
            var (title, value, colour) = panels[p];
            var y0 = p * panelHeight;
            var values = samples.Select(value).Where(v => !double.IsNaN(v)).ToList();
            var max = values.Count == 0 ? 1 : Math.Max(1, values.Max() * 1.15);
            var plotHeight = panelHeight - top - bottom;
            double X(int minute) => left + (width - left - right) * (minute / (double)maxMinute);
            double Y(double v) => y0 + top + plotHeight * (1 - v / max);
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left}\" y=\"{y0 + 18}\" font-weight=\"bold\">{title}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y0 + top + plotHeight}\" x2=\"{width - right}\" y2=\"{y0 + top + plotHeight}\" stroke=\"#888\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<line x1=\"{left}\" y1=\"{y0 + top}\" x2=\"{left}\" y2=\"{y0 + top + plotHeight}\" stroke=\"#888\"/>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y0 + top + 4}\" text-anchor=\"end\">{max:0}</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{left - 6}\" y=\"{y0 + top + plotHeight + 4}\" text-anchor=\"end\">0</text>");
            svg.Append(CultureInfo.InvariantCulture, $"<text x=\"{width - right}\" y=\"{y0 + top + plotHeight + 18}\" text-anchor=\"end\">minute {maxMinute}</text>");
            var points = string.Join(' ', samples.Where(s => !double.IsNaN(value(s))).Select(s => string.Create(CultureInfo.InvariantCulture, $"{X(s.Minute):0.#},{Y(value(s)):0.#}")));
            svg.Append(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{points}\"/>");
        }
        svg.Append("</svg>");
        return svg.ToString();
    }

    internal sealed record Sample(int Minute, double RssMb, double HeapMb, long Threads, double FanOutP99Ms, int Deliveries);
}
