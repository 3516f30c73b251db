using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CrowdShield.Benchmarks;

/// <summary>
/// Seq under contention across nodes: P publishers, spread over the given nodes and over N events, post reports as
/// fast as they are answered. With one event they all share that event's counter row; with many they share
/// nothing but the database. If seq serialized the whole cluster, many events would be no faster than one.
/// At the end every event's feed is read back: its seqs must be 1..n with n the reports accepted for it.
/// Usage: dotnet CrowdShield.Benchmarks.dll publishers --urls http://a,http://b --admin-email E --admin-password P
///        [--events 1] [--publishers 16] [--seconds 10]
/// </summary>
internal static class Publishers
{
    public static async Task<int> RunAsync(string[] args)
    {
        string Get(string name, string fallback)
        {
            var i = Array.IndexOf(args, name);
            return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
        }
        var urls = Get("--urls", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(u => new Uri(u)).ToArray();
        var events = int.Parse(Get("--events", "1"));
        var publishers = int.Parse(Get("--publishers", "16"));
        var seconds = int.Parse(Get("--seconds", "10"));
        var clients = urls.Select(u => new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256 }) { BaseAddress = u }).ToArray();

        var admin = await LoginAsync(clients[0], Get("--admin-email", ""), Get("--admin-password", ""));
        var eventIds = new List<string>();
        for (var e = 0; e < events; e++)
        {
            var created = await SendAsync(clients[0], HttpMethod.Post, "/api/v1/events", admin,
                new { name = $"Seq benchmark {e}", center = new { lat = 51.5, lng = -0.1 }, zones = Array.Empty<object>() });
            eventIds.Add(created.GetProperty("id").GetString()!);
        }
        var email = $"seq-{Guid.NewGuid():N}@bench.local";
        await SendAsync(clients[0], HttpMethod.Post, "/api/v1/users", admin,
            new { email, password = "Bench-Passw0rd!", name = "Field", role = "field", eventIds });
        var field = await LoginAsync(clients[0], email, "Bench-Passw0rd!");

        var accepted = new ConcurrentDictionary<string, int>();
        var latencies = new ConcurrentBag<double>();
        var failed = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, publishers).Select(p => Task.Run(async () =>
        {
            var http = clients[p % clients.Length];
            var eventId = eventIds[p % eventIds.Count];
            var body = JsonSerializer.SerializeToUtf8Bytes(new { eventId, message = $"publisher {p}", type = "other" });
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", field);
                var started = Stopwatch.GetTimestamp();
                using var response = await http.SendAsync(request);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                if (response.IsSuccessStatusCode)
                {
                    accepted.AddOrUpdate(eventId, 1, (_, n) => n + 1);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        })));
        var elapsed = clock.Elapsed.TotalSeconds;

        var gapFree = true;
        foreach (var eventId in eventIds)
        {
            var seqs = new List<long>();
            for (long after = 0; ;)
            {
                var page = await SendAsync(clients[^1], HttpMethod.Get, $"/api/v1/events/{eventId}/feed?after={after}&limit=1000", admin, null);
                var items = page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("seq").GetInt64()).ToList();
                if (items.Count == 0)
                {
                    break;
                }
                seqs.AddRange(items);
                after = items[^1];
            }
            var expected = accepted.GetValueOrDefault(eventId);
            gapFree &= seqs.Count == expected && seqs.Select((s, i) => s == i + 1).All(ok => ok);
        }
        var sorted = latencies.Order().ToArray();
        var total = accepted.Values.Sum();
        Console.WriteLine($"| {publishers} publishers over {urls.Length} nodes, {events} event(s) | {total / elapsed:N0} reports/s | "
            + $"p50 {Percentile(sorted, 0.5):N1} ms, p99 {Percentile(sorted, 0.99):N1} ms | {(gapFree ? "every event 1..n, no gap" : "GAP OR MISMATCH")}, {failed} failed |");
        return gapFree && failed == 0 ? 0 : 1;
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? double.NaN : sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static async Task<string> LoginAsync(HttpClient http, string email, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpMethod method, string path, string token, object? body)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"{method} {path}: {(int)response.StatusCode} {text}");
        }
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
