using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using CrowdShield.Core.Users;

namespace CrowdShield.Tests.Infrastructure;

public sealed record TestUser(string Id, string Email, string Password, string Role, string Token);

/// <summary>What a real API client does: JSON over HTTP with a bearer token.</summary>
public sealed class ApiClient(HttpClient http) : IDisposable
{
    public HttpClient Http => http;

    public async Task<string> LoginAsync(string email, string password)
    {
        using var response = await http.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"login {email}: {(int)response.StatusCode} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("token").GetString()!;
    }

    public Task<string> AdminTokenAsync() => LoginAsync(AppFixture.AdminEmail, AppFixture.AdminPassword);

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? token, object? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        if (body is not null)
        {
            request.Content = body as HttpContent ?? JsonContent.Create(body);
        }
        return await http.SendAsync(request);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, string? token, object? body = null, HttpStatusCode? expect = null)
    {
        using var response = await SendAsync(method, path, token, body);
        var text = await response.Content.ReadAsStringAsync();
        if (expect is { } status)
        {
            Assert.True(response.StatusCode == status, $"{method} {path}: expected {(int)status}, got {(int)response.StatusCode} {text}");
        }
        else
        {
            Assert.True(response.IsSuccessStatusCode, $"{method} {path}: {(int)response.StatusCode} {text}");
        }
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An event with two zones: "gate-3" (threshold 30, ~1,000 m²) and "stage" (no polygon, threshold 50).</summary>
    public async Task<string> CreateEventAsync(string adminToken, string name = "Test festival")
    {
        var created = await JsonAsync(HttpMethod.Post, "/api/v1/events", adminToken, new
        {
            name,
            center = new { lat = 51.5, lng = -0.1 },
            zones = new object[]
            {
                new
                {
                    id = "gate-3", name = "Gate 3",
                    polygon = new[] { new { lat = 51.5, lng = -0.1 }, new { lat = 51.5003, lng = -0.1 }, new { lat = 51.5003, lng = -0.0995 }, new { lat = 51.5, lng = -0.0995 } },
                },
                new { id = "stage", name = "Main stage", areaM2 = 2000.0, alertThreshold = 50 },
            },
        }, HttpStatusCode.Created);
        return created.GetProperty("id").GetString()!;
    }

    public async Task<TestUser> CreateUserAsync(string adminToken, string role, params string[] eventIds)
    {
        var email = $"{role}-{Guid.NewGuid():N}@tests.local";
        const string password = "Passw0rd-for-tests";
        var created = await JsonAsync(HttpMethod.Post, "/api/v1/users", adminToken,
            new { email, password, name = $"Test {role}", role, eventIds }, HttpStatusCode.Created);
        var token = await LoginAsync(email, password);
        return new TestUser(created.GetProperty("id").GetString()!, email, password, role, token);
    }

    /// <summary>An event with one member of each role, and the admin.</summary>
    public async Task<Scenario> ScenarioAsync()
    {
        var admin = await AdminTokenAsync();
        var eventId = await CreateEventAsync(admin);
        var users = new Dictionary<string, TestUser>();
        foreach (var role in Roles.All.Where(r => r != Roles.Admin))
        {
            users[role] = await CreateUserAsync(admin, role, eventId);
        }
        return new Scenario(eventId, admin, users);
    }

    public async Task<long> LastSeqAsync(string token, string eventId) =>
        (await JsonAsync(HttpMethod.Get, $"/api/v1/events/{eventId}/feed?after=0&limit=1000", token)).GetProperty("lastSeq").GetInt64();

    public void Dispose() => http.Dispose();
}

public sealed record Scenario(string EventId, string AdminToken, IReadOnlyDictionary<string, TestUser> Users)
{
    public string TokenOf(string role) => role == Roles.Admin ? AdminToken : Users[role].Token;
}
