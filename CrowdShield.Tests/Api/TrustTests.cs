using System.Net;
using System.Security.Claims;
using System.Text;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using R = CrowdShield.Core.Users.Roles;

namespace CrowdShield.Tests.Api;

/// <summary>Authority on the hub, user management, the audit log and the security headers.</summary>
[Collection(AppCollection.Name)]
public sealed class TrustTests(AppFixture app)
{
    public static TheoryData<string, string, string> HubCases()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var role in R.All)
        {
            foreach (var which in new[] { "own", "other" })
            {
                foreach (var token in new[] { "valid", "expired", "revoked" })
                {
                    data.Add(role, which, token);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(HubCases))]
    public async Task Hub_AdmitsExactlyWhoMayReadTheEvent(string role, string which, string tokenKind)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var other = await api.CreateEventAsync(s.AdminToken, "Someone else's festival");
        var user = role == R.Admin ? await api.CreateUserAsync(s.AdminToken, R.Admin) : s.Users[role];
        var token = tokenKind switch
        {
            "valid" => user.Token,
            // Correctly signed, for the right user with their current stamp, but past its expiry (beyond the clock skew).
            "expired" => await TokenAsync(user.Id, DateTime.UtcNow.AddMinutes(-5)),
            _ => await RevokedAsync(api, user),
        };
        var eventId = which == "own" ? s.EventId : other;

        using var negotiate = await api.SendAsync(HttpMethod.Post, $"/hubs/events/negotiate?eventId={eventId}&negotiateVersion=1", token);

        var expected = tokenKind != "valid" ? HttpStatusCode.Unauthorized
            : role == R.Device ? HttpStatusCode.Forbidden
            : which == "own" || role == R.Admin ? HttpStatusCode.OK
            : HttpStatusCode.Forbidden;
        Assert.Equal(expected, negotiate.StatusCode);
        if (expected != HttpStatusCode.OK)
        {
            Assert.Equal("application/problem+json", negotiate.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Hub_RefusesADevice_AndItReceivesNothing()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var connection = HubRecorder.Build(app.BaseAddress, s.EventId, s.TokenOf(R.Device), Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets);

        var refused = await Assert.ThrowsAnyAsync<HttpRequestException>(() => connection.StartAsync());

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }

    [Fact]
    public async Task AHubConnection_EndsWhenItsTokenExpires()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var viewer = s.Users[R.Viewer];
        // Valid for 3 s more than the validator's 30 s clock skew.
        await using var connection = HubRecorder.Build(app.BaseAddress, s.EventId, await TokenAsync(viewer.Id, DateTime.UtcNow.AddSeconds(-27)),
            Microsoft.AspNetCore.Http.Connections.HttpTransportType.WebSockets);
        var closed = new TaskCompletionSource();
        connection.Closed += _ => { closed.TrySetResult(); return Task.CompletedTask; };

        await connection.StartAsync();

        await closed.Task.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(HubConnectionState.Disconnected, connection.State);
    }

    [Fact]
    public async Task PatchUser_ChangesRoleEventsAndName_AndDisablingEndsTheSessions()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var other = await api.CreateEventAsync(s.AdminToken, "Second stage");
        var op = s.Users[R.Operator];

        var changed = await api.JsonAsync(HttpMethod.Patch, $"/api/v1/users/{op.Id}", s.AdminToken,
            new { name = "Renamed", role = R.Viewer, eventIds = new[] { other } });
        Assert.Equal(("Renamed", R.Viewer, other), (changed.GetProperty("name").GetString(), changed.GetProperty("role").GetString(),
            Assert.Single(changed.GetProperty("eventIds").EnumerateArray()).GetString()));
        Assert.DoesNotContain("password", changed.GetRawText(), StringComparison.OrdinalIgnoreCase);

        await api.JsonAsync(HttpMethod.Patch, $"/api/v1/users/{op.Id}", s.AdminToken, new { disabled = true });
        using var withOldToken = await api.SendAsync(HttpMethod.Get, "/api/v1/auth/me", op.Token);
        using var login = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = op.Email, password = op.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, withOldToken.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, login.StatusCode);

        await api.JsonAsync(HttpMethod.Patch, $"/api/v1/users/{op.Id}", s.AdminToken, new { disabled = false, password = "a new long passphrase" });
        using var oldPassword = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = op.Email, password = op.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, oldPassword.StatusCode);
        Assert.NotEqual("", await api.LoginAsync(op.Email, "a new long passphrase"));
    }

    [Fact]
    public async Task PatchAndDelete_NameTheBadField_AndKeepTheLastAdmin()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var viewer = s.Users[R.Viewer];

        using var badRole = await api.SendAsync(HttpMethod.Patch, $"/api/v1/users/{viewer.Id}", s.AdminToken, new { role = "king" });
        using var weak = await api.SendAsync(HttpMethod.Patch, $"/api/v1/users/{viewer.Id}", s.AdminToken, new { password = "password1" });
        using var badEvent = await api.SendAsync(HttpMethod.Patch, $"/api/v1/users/{viewer.Id}", s.AdminToken, new { eventIds = new[] { "nope" } });
        using var missing = await api.SendAsync(HttpMethod.Delete, "/api/v1/users/nobody", s.AdminToken);
        Assert.Contains("\"role\"", await badRole.Content.ReadAsStringAsync());
        Assert.Contains("\"password\"", await weak.Content.ReadAsStringAsync());
        Assert.Contains("\"eventIds[0]\"", await badEvent.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

    }

    [Fact]
    public async Task ChangingOnesPassword_RefusesEveryEarlierToken()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var field = s.Users[R.Field];
        var second = await api.LoginAsync(field.Email, field.Password);

        using var wrong = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/password", field.Token, new { currentPassword = "not it", newPassword = "another long passphrase" });
        using var changed = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/password", field.Token, new { currentPassword = field.Password, newPassword = "another long passphrase" });

        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("\"currentPassword\"", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        foreach (var token in new[] { field.Token, second })
        {
            using var old = await api.SendAsync(HttpMethod.Get, "/api/v1/auth/me", token);
            Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
        }
        var fresh = await api.LoginAsync(field.Email, "another long passphrase");
        Assert.Equal(field.Email, (await api.JsonAsync(HttpMethod.Get, "/api/v1/auth/me", fresh)).GetProperty("email").GetString());
    }

    [Fact]
    public async Task TheAuditLog_RecordsSignInsUserChangesAndOperatorWork_ForAdminsOnly()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var before = (await api.JsonAsync(HttpMethod.Get, "/api/v1/audit?limit=1000&after=0", s.AdminToken)).GetProperty("last").GetInt64();
        var op = s.Users[R.Operator];
        using var failed = await api.SendAsync(HttpMethod.Post, "/api/v1/auth/login", null, new { email = op.Email, password = "wrong password here" });
        var count = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(R.Device),
            new { eventId = s.EventId, cameraId = "c", zoneId = "gate-3", count = 40 }, HttpStatusCode.Accepted);
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{count.GetProperty("alertId").GetString()}/acknowledge", op.Token);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", op.Token, new { eventId = s.EventId, command = "open_gate", zoneId = "gate-3" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Patch, $"/api/v1/users/{s.Users[R.Viewer].Id}", s.AdminToken, new { name = "Wall 2" });

        var page = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?after={before}&limit=1000", s.AdminToken);
        var items = page.GetProperty("items").EnumerateArray().ToList();
        var ids = items.Select(i => i.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids[^1], page.GetProperty("last").GetInt64());
        Assert.Contains(items, i => i.GetProperty("action").GetString() == "sign_in_failed" && i.GetProperty("actor").GetString() == op.Email);
        Assert.Contains(items, i => i.GetProperty("action").GetString() == "alert_acknowledged" && i.GetProperty("actor").GetString() == op.Email
            && i.GetProperty("eventId").GetString() == s.EventId);
        Assert.Contains(items, i => i.GetProperty("action").GetString() == "action_recorded" && i.GetProperty("details").GetString()!.Contains("open_gate"));
        Assert.Contains(items, i => i.GetProperty("action").GetString() == "user_changed" && i.GetProperty("details").GetString()!.Contains("Wall 2"));
        var ofEvent = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}&after={before}", s.AdminToken);
        Assert.All(ofEvent.GetProperty("items").EnumerateArray(), i => Assert.Equal(s.EventId, i.GetProperty("eventId").GetString()));
        using var asOperator = await api.SendAsync(HttpMethod.Get, "/api/v1/audit", op.Token);
        Assert.Equal(HttpStatusCode.Forbidden, asOperator.StatusCode);
    }

    [Fact]
    public async Task Responses_CarryAStrictContentSecurityPolicy_AndTheUsualHeaders()
    {
        using var api = app.Api();

        using var page = await api.Http.GetAsync("/login");

        var csp = string.Join(" ", page.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self';", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("no-referrer", page.Headers.GetValues("Referrer-Policy").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.DoesNotContain("<script>", await page.Content.ReadAsStringAsync());
    }

    private async Task<string> RevokedAsync(ApiClient api, TestUser user)
    {
        // Signing out ends every token issued before: the one of this test's user goes stale.
        var stale = user.Token;
        await using var scope = app.Services.CreateAsyncScope();
        var db = await scope.ServiceProvider.GetRequiredService<IDbContextFactory<CrowdShieldDb>>().CreateDbContextAsync();
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(u => u.SetProperty(x => x.SecurityStamp, User.NewStamp()));
        app.Services.GetRequiredService<CrowdShield.Web.Auth.UserDirectory>().Invalidate(user.Id);
        _ = api;
        return stale;
    }

    private async Task<string> TokenAsync(string userId, DateTime expires)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>().CreateDbContextAsync();
        var stamp = await db.Users.Where(u => u.Id == userId).Select(u => u.SecurityStamp).SingleAsync();
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = "crowdshield",
            Audience = "crowdshield",
            IssuedAt = expires.AddHours(-2),
            NotBefore = expires.AddHours(-2),
            Expires = expires,
            Subject = new ClaimsIdentity([new Claim("sub", userId), new Claim("stamp", stamp)]),
            SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(AppFixture.SigningKey)), SecurityAlgorithms.HmacSha256),
        });
    }
}

/// <summary>A fresh app whose only admin is the bootstrap one.</summary>
public sealed class LastAdminFixture : AppFixture;

public sealed class LastAdminTests(LastAdminFixture app) : IClassFixture<LastAdminFixture>
{
    [Fact]
    public async Task TheLastEnabledAdmin_CannotBeDemotedDisabledOrDeleted_ButCanOnceThereIsAnother()
    {
        using var api = app.Api();
        var admin = await api.AdminTokenAsync();
        var me = (await api.JsonAsync(HttpMethod.Get, "/api/v1/auth/me", admin)).GetProperty("id").GetString()!;

        using var demote = await api.SendAsync(HttpMethod.Patch, $"/api/v1/users/{me}", admin, new { role = R.Operator });
        using var disable = await api.SendAsync(HttpMethod.Patch, $"/api/v1/users/{me}", admin, new { disabled = true });
        using var delete = await api.SendAsync(HttpMethod.Delete, $"/api/v1/users/{me}", admin);
        Assert.All(new[] { demote, disable, delete }, r => Assert.Equal(HttpStatusCode.Conflict, r.StatusCode));

        var second = await api.CreateUserAsync(admin, R.Admin);
        using var deleted = await api.SendAsync(HttpMethod.Delete, $"/api/v1/users/{second.Id}", admin);
        using var gone = await api.SendAsync(HttpMethod.Get, "/api/v1/auth/me", second.Token);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, gone.StatusCode);
    }
}

/// <summary>Ingest limited per user, and sign-in limits that a stranger cannot turn against the owner.</summary>
public sealed class LimitsFixture : AppFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("RateLimits:Ingest:PerUser", "5"),
        new("RateLimits:Login:PerAccount", "3"),
        new("RateLimits:Login:PerClient", "1000"),
        // Tests play several clients by sending X-Forwarded-For through the one proxy they trust: loopback.
        new("ForwardedHeaders:KnownProxies", "127.0.0.1"),
    ];
}

public sealed class LimitsTests(LimitsFixture app) : IClassFixture<LimitsFixture>
{
    [Fact]
    public async Task Ingest_AboveThePerUserLimit_Gets429WithRetryAfter_AndNothingOfItIsStored()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.TokenOf(R.Device);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
            api.SendAsync(HttpMethod.Post, "/api/v1/pings", device, new { eventId = s.EventId, lat = 51.5001, lng = -0.0998, deviceId = $"phone-{i}" })));

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        var refused = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.Equal(20, accepted + refused.Count);
        Assert.InRange(accepted, 1, 10);
        Assert.All(refused, r => Assert.True(r.Headers.RetryAfter is not null && r.Content.Headers.ContentType?.MediaType == "application/problem+json"));
        var snapshot = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={s.EventId}", s.TokenOf(R.Viewer));
        Assert.Equal(accepted, snapshot.GetProperty("points").GetArrayLength());
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task AStrangerGuessingAPassword_CannotLockTheOwnerOut()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var owner = s.Users[R.Operator];

        for (var i = 0; i < 20; i++)
        {
            using var guess = await LoginFromAsync(api, "203.0.113.66", owner.Email, $"guess number {i}");
            Assert.True(guess.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests);
        }
        using var strangerAgain = await LoginFromAsync(api, "203.0.113.66", owner.Email, owner.Password);
        using var ownerFromTheControlRoom = await LoginFromAsync(api, "198.51.100.7", owner.Email, owner.Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, strangerAgain.StatusCode);
        Assert.True(strangerAgain.Headers.RetryAfter is not null);
        Assert.Equal(HttpStatusCode.OK, ownerFromTheControlRoom.StatusCode);
    }

    private static async Task<HttpResponseMessage> LoginFromAsync(ApiClient api, string client, string email, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = System.Net.Http.Json.JsonContent.Create(new { email, password }) };
        request.Headers.Add("X-Forwarded-For", client);
        return await api.Http.SendAsync(request);
    }
}

public sealed class OptionsValidationTests
{
    [Theory]
    [InlineData("Ai:Interval", "00:00:00")]
    [InlineData("Retention:Feed", "00:10:00")]
    [InlineData("Retention:Audit", "30.00:00:00")]
    [InlineData("Map:CellSizeM", "0")]
    [InlineData("Map:Bands:HighFrom", "1.5")]
    [InlineData("Alerts:RecoveryFactor", "2")]
    [InlineData("Cluster:LeaseTtl", "00:00:01")]
    [InlineData("RateLimits:Ingest:PerUser", "0")]
    [InlineData("RateLimits:Login:Window", "00:00:00")]
    [InlineData("MapUi:TileUrl", "tiles.example.org")]
    [InlineData("Database:Provider", "Oracle")]
    [InlineData("ForwardedHeaders:KnownProxies", "the-proxy")]
    public void AnInvalidSetting_StopsTheStart_WithAMessageNamingItsKey(string key, string value)
    {
        using var factory = Factory("Testing", (key, value));

        var error = Assert.ThrowsAny<Exception>(() => factory.CreateClient());

        Assert.Contains(key, error.ToString());
    }

    [Fact]
    public void Production_RefusesTheDemo_UnlessAllowedOnPurpose()
    {
        using var refused = Factory("Production", ("Demo:Enabled", "true"));
        using var allowed = Factory("Production", ("Demo:Enabled", "true"), ("Demo:AllowInProduction", "true"));

        var error = Assert.ThrowsAny<Exception>(() => refused.CreateClient());
        using var client = allowed.CreateClient();

        Assert.Contains("Demo:AllowInProduction", error.ToString());
        Assert.NotNull(client);
    }

    private static WebApplicationFactory<Program> Factory(string environment, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Storage:DataDirectory", Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N")));
            builder.UseSetting("Jwt:SigningKey", AppFixture.SigningKey);
            builder.UseSetting("Demo:Tick", "00:00:05");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
}
