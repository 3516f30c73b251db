using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Playwright;

namespace CrowdShield.Benchmarks;

internal sealed record DashboardResult(int Dashboards, string Client, int Samples, int Expected, double P50, double P95, double Max, double KbPerCircuit);

/// <summary>Who opens the dashboards: Debian's Chromium, or <see cref="CircuitClient"/> (the circuit without a browser).</summary>
internal enum DashboardClient { Chromium, Circuit }

/// <summary>
/// Operator dashboards: memory per connected circuit, and the time from the start of an API call to its result on every
/// open screen (a report appearing in each dashboard). Chromium pages see it in the DOM of the reports panel; circuit
/// clients when the render batch that carries it arrives.
/// </summary>
internal static class Dashboards
{
    private const string Marker = "ui-bench ";

    public static async Task<DashboardResult> RunAsync(ServerProcess server, HttpClient http, string eventId, string operatorEmail, string password,
        string fieldToken, string adminToken, int dashboards, int reports, DashboardClient client)
    {
        var path = $"/events/{eventId}";
        await using IScreens screens = client == DashboardClient.Chromium
            ? await BrowserScreens.SignInAsync(server.BaseAddress, path, operatorEmail, password)
            : await CircuitScreens.SignInAsync(server.BaseAddress, operatorEmail, password);

        // Warm-up: one dashboard opened and closed, so first-use costs (JIT, caches) are not counted per circuit.
        await screens.WarmUpAsync(path);
        await Task.Delay(3000);
        var before = await ManagedHeapAsync(http, adminToken);
        var rssBefore = server.CurrentMemoryMb();
        var opening = System.Diagnostics.Stopwatch.StartNew();
        await screens.OpenAsync(path, dashboards);
        Console.WriteLine($"  {dashboards} dashboards open in {opening.Elapsed.TotalSeconds:N1} s ({client})");
        await Task.Delay(3000);
        var after = await ManagedHeapAsync(http, adminToken);
        Console.WriteLine($"  {after.Circuits} circuits open; managed heap after a full GC {before.HeapMb:N1} MB → {after.HeapMb:N1} MB; resident {rssBefore:N0} MB → {server.CurrentMemoryMb():N0} MB");

        // Who spends the cores while the reports go out: the server, or the browser and this client (the rest).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var serverCpuBefore = server.CpuTime();
        var machineBefore = ServerProcess.MachineBusyTime();
        var batchesBefore = screens.RenderBatches;
        var sent = new long[reports];
        for (var i = 0; i < reports; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports")
            {
                Content = JsonContent.Create(new { eventId, message = $"{Marker}{i}", type = "other" }),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fieldToken);
            sent[i] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            using var response = await http.SendAsync(request);
            response.EnsureSuccessStatusCode();
            await Task.Delay(1000);
        }
        await Task.Delay(2000);
        var seconds = clock.Elapsed.TotalSeconds;
        var serverCores = (server.CpuTime() - serverCpuBefore).TotalSeconds / seconds;
        var machineCores = (ServerProcess.MachineBusyTime() - machineBefore).TotalSeconds / seconds;
        if (screens.RenderBatches - batchesBefore is { } batches)
        {
            Console.WriteLine($"  render batches while reporting: {batches:N0}, {(double)batches / dashboards / reports:N1} per dashboard per report");
        }
        Console.WriteLine($"  while reporting: the machine busy {machineCores:N2} of {ServerProcess.MachineCores()} cores, the server {serverCores:N2} of them, " +
            $"the rest ({client}, this process) {machineCores - serverCores:N2}");

        var latencies = new List<double>();
        foreach (var seen in await screens.SeenAsync())
        {
            foreach (var (index, at) in seen)
            {
                latencies.Add(at - sent[index]);
            }
        }
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        return new DashboardResult(dashboards, client.ToString(), latencies.Count, dashboards * reports, Percentile(0.5), Percentile(0.95),
            latencies.Count == 0 ? double.NaN : latencies[^1], (after.HeapMb - before.HeapMb) * 1024 / Math.Max(1, after.Circuits - before.Circuits));
    }

    /// <summary>The server's managed heap after a full collection: what the circuits really hold, without GC slack.</summary>
    private static async Task<(double HeapMb, int Circuits)> ManagedHeapAsync(HttpClient http, string adminToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/diagnostics?collect=true");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        return (body.GetProperty("managedHeapMb").GetDouble(), body.GetProperty("circuits").GetInt32());
    }

    /// <summary>A set of open dashboards, whatever shows them.</summary>
    private interface IScreens : IAsyncDisposable
    {
        Task WarmUpAsync(string path);

        Task OpenAsync(string path, int count);

        /// <summary>Render batches the screens received so far, where the client can count them.</summary>
        long? RenderBatches { get; }

        /// <summary>Per screen: report index → when it appeared (Unix ms).</summary>
        Task<IReadOnlyList<IReadOnlyDictionary<int, long>>> SeenAsync();
    }

    private sealed class BrowserScreens(IPlaywright playwright, IBrowser browser, IBrowserContext context) : IScreens
    {
        private readonly List<IPage> _pages = [];

        public long? RenderBatches => null;

        public static async Task<BrowserScreens> SignInAsync(Uri baseAddress, string path, string email, string password)
        {
            var playwright = await Playwright.CreateAsync();
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
                Headless = true,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding", "--disable-background-timer-throttling"],
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = baseAddress.ToString(),
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
            });
            var first = await context.NewPageAsync();
            await first.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(path));
            await first.FillAsync("#email", email);
            await first.FillAsync("#password", password);
            await first.ClickAsync("button[type=submit]");
            await ConnectedAsync(first);
            await first.CloseAsync();
            return new BrowserScreens(playwright, browser, context);
        }

        public async Task WarmUpAsync(string path)
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(path);
            await ConnectedAsync(page);
            await page.CloseAsync();
        }

        public async Task OpenAsync(string path, int count)
        {
            for (var i = 0; i < count; i++)
            {
                var page = await context.NewPageAsync();
                await page.GotoAsync(path);
                await ConnectedAsync(page);
                await page.EvaluateAsync("""
                    () => {
                        window.__seen = {};
                        const record = () => {
                            for (const item of document.querySelectorAll("[data-testid=report-item] .alert-message")) {
                                const match = /^ui-bench (\d+)$/.exec(item.textContent.trim());
                                if (match && !(match[1] in window.__seen)) window.__seen[match[1]] = Date.now();
                            }
                        };
                        new MutationObserver(record).observe(document.body, { childList: true, subtree: true, characterData: true });
                    }
                    """);
                _pages.Add(page);
            }
        }

        public async Task<IReadOnlyList<IReadOnlyDictionary<int, long>>> SeenAsync()
        {
            var all = new List<IReadOnlyDictionary<int, long>>();
            foreach (var page in _pages)
            {
                var seen = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__seen");
                all.Add(seen.ToDictionary(pair => int.Parse(pair.Key), pair => (long)pair.Value));
            }
            return all;
        }

        public async ValueTask DisposeAsync()
        {
            await context.CloseAsync();
            await browser.DisposeAsync();
            playwright.Dispose();
        }

        private static Task ConnectedAsync(IPage page) =>
            page.Locator("[data-testid=connection-status][data-state=connected]").WaitForAsync(new() { Timeout = 30000 });
    }

    private sealed class CircuitScreens(HttpClient http, CookieContainer cookies) : IScreens
    {
        private readonly List<(CircuitClient Client, ConcurrentDictionary<int, long> Seen)> _screens = [];

        public long? RenderBatches => _screens.Sum(s => (long)s.Client.Batches);

        public static async Task<CircuitScreens> SignInAsync(Uri baseAddress, string email, string password)
        {
            var cookies = new CookieContainer();
            var http = new HttpClient(new SocketsHttpHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = baseAddress };
            await CircuitClient.SignInAsync(http, cookies, email, password);
            return new CircuitScreens(http, cookies);
        }

        public async Task WarmUpAsync(string path) => await (await CircuitClient.OpenAsync(http, cookies, path, (_, _) => { })).DisposeAsync();

        public async Task OpenAsync(string path, int count)
        {
            // Ten at a time: a control room's screens come up over minutes, not in one burst of handshakes.
            for (var opened = 0; opened < count; opened += 10)
            {
                await Task.WhenAll(Enumerable.Range(0, Math.Min(10, count - opened)).Select(async _ =>
                {
                    var seen = new ConcurrentDictionary<int, long>();
                    var client = await CircuitClient.OpenAsync(http, cookies, path, (_, batch) =>
                    {
                        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        foreach (var text in CircuitClient.WholeStrings(batch.Span, Encoding.UTF8.GetBytes(Marker)))
                        {
                            seen.TryAdd(int.Parse(text.AsSpan(Marker.Length)), now);
                        }
                    });
                    lock (_screens)
                    {
                        _screens.Add((client, seen));
                    }
                }));
            }
        }

        public Task<IReadOnlyList<IReadOnlyDictionary<int, long>>> SeenAsync()
        {
            foreach (var (client, _) in _screens.Where(s => s.Client.Error is not null).Take(3))
            {
                Console.WriteLine($"  a circuit failed: {client.Error}");
            }
            return Task.FromResult<IReadOnlyList<IReadOnlyDictionary<int, long>>>([.. _screens.Select(s => (IReadOnlyDictionary<int, long>)s.Seen)]);
        }

        public async ValueTask DisposeAsync()
        {
            await Task.WhenAll(_screens.Select(s => s.Client.DisposeAsync().AsTask()));
            http.Dispose();
        }

    }
}
