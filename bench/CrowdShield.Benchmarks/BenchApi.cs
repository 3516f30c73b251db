using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace CrowdShield.Benchmarks;

/// <summary>The few API calls every scenario starts with: sign in, an 8-zone venue, users of each role.</summary>
internal static class BenchApi
{
    public static async Task<string> LoginAsync(HttpClient http, string email, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("token").GetString()!;
    }

    public static async Task<string> CreateEventAsync(HttpClient http, string admin)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/events")
        {
            Content = JsonContent.Create(new
            {
                name = "Benchmark arena",
                center = new { lat = 51.556, lng = -0.2796 },
                zones = Enumerable.Range(0, 8).Select(i => new
                {
                    id = $"zone-{i}", name = $"Zone {i}",
                    polygon = Square(51.555 + (i / 4) * 0.001, -0.2815 + (i % 4) * 0.001, 0.001),
                }),
            }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private static object[] Square(double lat, double lng, double size) =>
        [new { lat, lng }, new { lat = lat + size, lng }, new { lat = lat + size, lng = lng + size }, new { lat, lng = lng + size }];

    public static async Task<string> CreateUserAsync(HttpClient http, string admin, string role, string eventId, string? email = null)
    {
        email ??= $"{role}-{Guid.NewGuid():N}@bench.local";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/users")
        {
            Content = JsonContent.Create(new { email, password = "Bench-Passw0rd!", name = role, role, eventIds = new[] { eventId } }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", admin);
        using var response = await http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await LoginAsync(http, email, "Bench-Passw0rd!");
    }
}
