using System.Net;
using CrowdShield.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Options;

namespace CrowdShield.Tests.Api;

/// <summary>An app whose login limits are small enough to hit in a test.</summary>
public sealed class StrictLoginFixture : AppFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("RateLimits:Login:PerClient", "1000"),
        new("RateLimits:Login:PerAccount", "3"),
    ];
}

public sealed class LoginTests(StrictLoginFixture app) : IClassFixture<StrictLoginFixture>
{
    [Fact]
    public async Task WrongPassword_Gets401Problem_WithoutSayingWhichPartWasWrong()
    {
        using var api = app.Api();

        using var wrongPassword = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = AppFixture.AdminEmail, password = "nope-nope" });
        using var unknownEmail = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = "ghost@tests.local", password = "nope-nope" });

        Assert.Equal(HttpStatusCode.Unauthorized, wrongPassword.StatusCode);
        Assert.Equal("application/problem+json", wrongPassword.Content.Headers.ContentType?.MediaType);
        Assert.Equal(await wrongPassword.Content.ReadAsStringAsync().ContinueWith(t => Detail(t.Result)),
            await unknownEmail.Content.ReadAsStringAsync().ContinueWith(t => Detail(t.Result)));
    }

    [Fact]
    public async Task RepeatedAttemptsOnOneAccount_Get429WithRetryAfter()
    {
        using var api = app.Api();
        var email = $"target-{Guid.NewGuid():N}@tests.local";
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? last = null;

        for (var i = 0; i < 5; i++)
        {
            last?.Dispose();
            last = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email, password = "guess-" + i });
            statuses.Add(last.StatusCode);
        }

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        Assert.True(last!.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        last.Dispose();
    }

    [Fact]
    public async Task Login_ReturnsTokenExpiryAndUser()
    {
        using var api = app.Api();

        var body = await api.JsonAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = AppFixture.AdminEmail, password = AppFixture.AdminPassword });

        Assert.False(string.IsNullOrEmpty(body.GetProperty("token").GetString()));
        Assert.True(body.GetProperty("expiresAt").GetDateTimeOffset() > DateTimeOffset.UtcNow);
        Assert.Equal("admin", body.GetProperty("user").GetProperty("role").GetString());
    }

    private static string Detail(string json) => System.Text.Json.JsonDocument.Parse(json).RootElement.GetProperty("detail").GetString()!;
}

public sealed class ProductionStartTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("too-short-key")]
    public void Production_RefusesToStart_WithoutALongEnoughSigningKey(string? key)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N"));
        using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment("Production");
            builder.UseSetting("Storage:DataDirectory", dataDirectory);
            builder.UseSetting("Jwt:SigningKey", key ?? "");
        });

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains("Jwt:SigningKey", (error as OptionsValidationException)?.Message ?? error.ToString());
    }
}
