using System.Net;
using System.Security.Claims;
using System.Text;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using R = CrowdShield.Core.Users.Roles;

namespace CrowdShield.Tests.Api;

/// <summary>Every endpoint × every role, plus no token, a forged token and an expired token.</summary>
/// <remarks>Runs on both providers: <see cref="AuthMatrixTests"/> (SQLite) and <see cref="AuthMatrixPostgresTests"/>.</remarks>
public abstract class AuthMatrixContract(AppFixture app) : IAsyncLifetime
{
    private static readonly string[] ReadRoles = [R.Admin, R.Operator, R.Field, R.Viewer];
    private static readonly string[] OperateRoles = [R.Admin, R.Operator];

    private ApiClient _api = default!;
    private Scenario _s = default!;
    private string _alertId = default!;

    public async Task InitializeAsync()
    {
        _api = app.Api();
        _s = await _api.ScenarioAsync();
        var count = await _api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", _s.AdminToken,
            new { eventId = _s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 40 }, HttpStatusCode.Accepted);
        _alertId = count.GetProperty("alertId").GetString()!;
    }

    public Task DisposeAsync()
    {
        _api.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>(method, path, body, roles allowed) for every endpoint of the contract behind a token.</summary>
    private IEnumerable<(HttpMethod Method, string Path, Func<object?> Body, string[] Allowed)> Endpoints()
    {
        var e = _s.EventId;
        yield return (HttpMethod.Get, "/api/v1/auth/me", () => null, [.. R.All]);
        yield return (HttpMethod.Post, "/api/v1/users", () => new { email = $"u-{Guid.NewGuid():N}@tests.local", password = "Passw0rd-x", name = "U", role = R.Viewer, eventIds = new[] { e } }, [R.Admin]);
        yield return (HttpMethod.Get, "/api/v1/users", () => null, [R.Admin]);
        yield return (HttpMethod.Post, "/api/v1/events", () => new { name = "Another", center = new { lat = 1.0, lng = 2.0 }, zones = Array.Empty<object>() }, [R.Admin]);
        yield return (HttpMethod.Get, "/api/v1/events", () => null, ReadRoles);
        yield return (HttpMethod.Get, $"/api/v1/events/{e}", () => null, ReadRoles);
        yield return (HttpMethod.Get, $"/api/v1/events/{e}/feed?after=0", () => null, ReadRoles);
        yield return (HttpMethod.Post, "/api/v1/cctv/objects", () => new { eventId = e, cameraId = "cam-2", zoneId = "stage", count = 1 }, [R.Admin, R.Operator, R.Device]);
        yield return (HttpMethod.Post, "/api/v1/pings", () => new { eventId = e, lat = 51.5, lng = -0.1 }, [R.Admin, R.Operator, R.Field, R.Device]);
        yield return (HttpMethod.Get, $"/api/v1/map?eventId={e}", () => null, ReadRoles);
        yield return (HttpMethod.Get, $"/api/v1/alerts?eventId={e}", () => null, ReadRoles);
        yield return (HttpMethod.Post, $"/api/v1/alerts/{_alertId}/acknowledge", () => null, OperateRoles);
        yield return (HttpMethod.Post, $"/api/v1/alerts/{_alertId}/resolve", () => null, OperateRoles);
        yield return (HttpMethod.Get, $"/api/v1/ai/insights?eventId={e}", () => null, OperateRoles);
        yield return (HttpMethod.Get, $"/api/v1/ai/predictions?eventId={e}&horizonMinutes=15", () => null, OperateRoles);
        yield return (HttpMethod.Post, "/api/v1/actions", () => new { eventId = e, command = "announce" }, OperateRoles);
        yield return (HttpMethod.Get, $"/api/v1/actions?eventId={e}", () => null, ReadRoles);
        yield return (HttpMethod.Post, "/api/v1/reports", () => new { eventId = e, message = "m", type = "medical" }, [R.Admin, R.Operator, R.Field]);
        yield return (HttpMethod.Get, $"/api/v1/reports?eventId={e}", () => null, ReadRoles);
        yield return (HttpMethod.Get, "/api/v1/diagnostics", () => null, [R.Admin]);
    }

    [Fact]
    public async Task EveryEndpoint_AllowsExactlyTheRolesOfTheContract()
    {
        var failures = new List<string>();
        foreach (var (method, path, body, allowed) in Endpoints())
        {
            foreach (var role in R.All)
            {
                using var response = await _api.SendAsync(method, path, _s.TokenOf(role), body());
                var ok = allowed.Contains(role)
                    ? response.IsSuccessStatusCode
                    : response.StatusCode == HttpStatusCode.Forbidden && IsProblem(response);
                if (!ok)
                {
                    failures.Add($"{method} {path} as {role}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
                }
            }
        }
        Assert.Empty(failures);
    }

    [Theory]
    [InlineData("none")]
    [InlineData("forged")]
    [InlineData("expired")]
    [InlineData("garbage")]
    public async Task EveryEndpoint_RefusesAMissingOrBadToken_With401Problem(string kind)
    {
        var token = kind switch
        {
            "none" => null,
            "forged" => Token(_s.Users[R.Operator].Id, "another-signing-key-that-is-long-enough-123456", DateTime.UtcNow.AddHours(1)),
            "expired" => Token(_s.Users[R.Operator].Id, AppFixture.SigningKey, DateTime.UtcNow.AddMinutes(-5)),
            _ => "not-a-jwt",
        };
        var failures = new List<string>();
        foreach (var (method, path, body, _) in Endpoints())
        {
            using var response = await _api.SendAsync(method, path, token, body());
            if (response.StatusCode != HttpStatusCode.Unauthorized || !IsProblem(response))
            {
                failures.Add($"{method} {path}: {(int)response.StatusCode}");
            }
        }
        Assert.Empty(failures);
    }

    [Fact]
    public async Task ValidlySignedToken_ForAUserThatDoesNotExist_IsRefused()
    {
        var token = Token("no-such-user", AppFixture.SigningKey, DateTime.UtcNow.AddHours(1));

        using var response = await _api.SendAsync(HttpMethod.Get, "/api/v1/auth/me", token);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Me_ReturnsTheCallerWithoutAnyPasswordField()
    {
        var me = await _api.JsonAsync(HttpMethod.Get, "/api/v1/auth/me", _s.TokenOf(R.Field));

        Assert.Equal(_s.Users[R.Field].Email, me.GetProperty("email").GetString());
        Assert.Equal(R.Field, me.GetProperty("role").GetString());
        Assert.Equal(_s.EventId, Assert.Single(me.GetProperty("eventIds").EnumerateArray()).GetString());
        Assert.DoesNotContain("password", me.GetRawText(), StringComparison.OrdinalIgnoreCase);
    }

    private static bool IsProblem(HttpResponseMessage response) =>
        response.Content.Headers.ContentType?.MediaType == "application/problem+json";

    internal static string Token(string userId, string key, DateTime expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "crowdshield",
        Audience = "crowdshield",
        IssuedAt = expires.AddHours(-2),
        NotBefore = expires.AddHours(-2),
        Expires = expires,
        Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("role", Roles.Admin)]),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(key)), SecurityAlgorithms.HmacSha256),
    });
}

[Collection(AppCollection.Name)]
public sealed class AuthMatrixTests(AppFixture app) : AuthMatrixContract(app);

[Collection(PostgresCollection.Name)]
public sealed class AuthMatrixPostgresTests(PostgresAppFixture app) : AuthMatrixContract(app);
