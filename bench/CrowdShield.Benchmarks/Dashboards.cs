using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.Playwright;

namespace CrowdShield.Benchmarks;

internal sealed record DashboardResult(int Dashboards, int Samples, int Expected, double P50, double P95, double Max, double KbPerCircuit);

/// <summary>
/// Operator dashboards in Debian's Chromium: memory per connected circuit, and the time from the start of an API
/// call to its result on every open screen (a report appearing in each dashboard's reports panel).
/// </summary>
internal static class Dashboards
{
    public static async Task<DashboardResult> RunAsync(ServerProcess server, HttpClient http, string eventId, string operatorEmail, string password,
        string fieldToken, string adminToken, int dashboards, int reports)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--disable-renderer-backgrounding", "--disable-background-timer-throttling"],
        });
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = server.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
        });
        var path = $"/events/{eventId}";

        // Warm-up: sign in and open one dashboard, so first-use costs (JIT, caches) are not counted per circuit.
        var first = await context.NewPageAsync();
        await first.GotoAsync("/login?returnUrl=" + Uri.EscapeDataString(path));
        await first.FillAsync("#email", operatorEmail);
        await first.FillAsync("#password", password);
        await first.ClickAsync("button[type=submit]");
        await ConnectedAsync(first);
        await first.CloseAsync();
        await Task.Delay(3000);
        var before = await ManagedHeapAsync(http, adminToken);
        var rssBefore = server.CurrentMemoryMb();

        var pages = new List<IPage>();
        for (var i = 0; i < dashboards; i++)
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
            pages.Add(page);
        }
        await Task.Delay(3000);
        var after = await ManagedHeapAsync(http, adminToken);
        Console.WriteLine($"  {after.Circuits} circuits open; managed heap after a full GC {before.HeapMb:N1} MB → {after.HeapMb:N1} MB; resident {rssBefore:N0} MB → {server.CurrentMemoryMb():N0} MB");

        // Who spends the cores while the reports go out: the server, or the browser and this client (the rest).
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var serverCpuBefore = server.CpuTime();
        var machineBefore = ServerProcess.MachineBusyTime();
        var sent = new long[reports];
        for (var i = 0; i < reports; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports")
            {
                Content = JsonContent.Create(new { eventId, message = $"ui-bench {i}", type = "other" }),
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
        Console.WriteLine($"  while reporting: the machine busy {machineCores:N2} of {Environment.ProcessorCount} cores, the server {serverCores:N2} of them, " +
            $"the rest (Chromium, this client) {machineCores - serverCores:N2}");

        var latencies = new List<double>();
        foreach (var page in pages)
        {
            var seen = await page.EvaluateAsync<Dictionary<string, double>>("() => window.__seen");
            foreach (var (index, at) in seen)
            {
                latencies.Add(at - sent[int.Parse(index)]);
            }
        }
        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)Math.Ceiling(p * latencies.Count) - 1)];
        await context.CloseAsync();
        return new DashboardResult(dashboards, latencies.Count, dashboards * reports, Percentile(0.5), Percentile(0.95),
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

    private static Task ConnectedAsync(IPage page) =>
        page.Locator("[data-testid=connection-status][data-state=connected]").WaitForAsync(new() { Timeout = 30000 });
}
