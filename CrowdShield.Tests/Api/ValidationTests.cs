using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Api;

/// <summary>Every value rule: a bad value gets a 400 problem naming the field, and nothing is stored or broadcast.</summary>
/// <remarks>Runs on both providers: <see cref="ValidationTests"/> (SQLite) and <see cref="ValidationPostgresTests"/>.</remarks>
public abstract class ValidationContract(AppFixture app) : IAsyncLifetime
{
    private ApiClient _api = default!;
    private Scenario _s = default!;

    public async Task InitializeAsync()
    {
        _api = app.Api();
        _s = await _api.ScenarioAsync();
    }

    public Task DisposeAsync()
    {
        _api.Dispose();
        return Task.CompletedTask;
    }

    public static TheoryData<string, string, string> BadBodies => new()
    {
        // path, JSON body ({e} is the event id), the field the error must name
        { "/api/v1/pings", """{"eventId":"{e}","lat":90.5,"lng":0}""", "lat" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":-91,"lng":0}""", "lat" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":10,"lng":180.01}""", "lng" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":10,"lng":-181}""", "lng" },
        { "/api/v1/pings", """{"eventId":"{e}","lng":10}""", "lat" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":"NaN","lng":10}""", "lat" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":1e400,"lng":10}""", "lat" },
        { "/api/v1/pings", """{"lat":10,"lng":10}""", "eventId" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":10,"lng":10,"accuracy":-1}""", "accuracy" },
        { "/api/v1/pings", """{"eventId":"{e}","lat":10,"lng":10,"recordedAt":"2099-01-01T00:00:00Z"}""", "recordedAt" },
        { "/api/v1/pings", """{"eventId":"{e}","pings":[{"lat":51.5,"lng":-0.1},{"lat":100,"lng":-0.1}]}""", "pings[1].lat" },
        { "/api/v1/pings", """{"eventId":"{e}","pings":[]}""", "pings" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"gate-3","count":-1}""", "count" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"gate-3","count":100001}""", "count" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"gate-3","count":35.5}""", "count" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"no-such-zone","count":35}""", "zoneId" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","zoneId":"gate-3","count":35}""", "cameraId" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"gate-3"}""", "count" },
        { "/api/v1/cctv/objects", """{"eventId":"{e}","cameraId":"c","zoneId":"gate-3","objects":[{"label":"person","confidence":1.5}]}""", "objects[0].confidence" },
        { "/api/v1/reports", """{"eventId":"{e}","message":"m","type":"party"}""", "type" },
        { "/api/v1/reports", """{"eventId":"{e}","type":"medical"}""", "message" },
        { "/api/v1/reports", """{"eventId":"{e}","message":"m","type":"fire","lat":91,"lng":0}""", "lat" },
        { "/api/v1/reports", """{"eventId":"{e}","message":"m","type":"fire","lat":1}""", "lng" },
        { "/api/v1/reports", """{"eventId":"{e}","message":"m","type":"fire","zoneId":"nowhere"}""", "zoneId" },
        { "/api/v1/actions", """{"eventId":"{e}","note":"no command"}""", "command" },
        { "/api/v1/actions", """{"eventId":"{e}","command":"open gate","zoneId":"nowhere"}""", "zoneId" },
        { "/api/v1/events", """{"name":"E","center":{"lat":100,"lng":0}}""", "center.lat" },
        { "/api/v1/events", """{"center":{"lat":1,"lng":0}}""", "name" },
        { "/api/v1/events", """{"name":"E","center":{"lat":1,"lng":0},"zones":[{"name":"Z","polygon":[{"lat":1,"lng":1},{"lat":1,"lng":2}]}]}""", "zones[0].polygon" },
        { "/api/v1/events", """{"name":"E","center":{"lat":1,"lng":0},"zones":[{"name":"Z","alertThreshold":-5}]}""", "zones[0].alertThreshold" },
        { "/api/v1/cctv/crossings", """{"eventId":"{e}","counterId":"door-1","zoneId":"gate-3","in":-1,"out":0}""", "in" },
        { "/api/v1/cctv/crossings", """{"eventId":"{e}","counterId":"door-1","zoneId":"gate-3","in":3}""", "out" },
        { "/api/v1/cctv/crossings", """{"eventId":"{e}","counterId":"door-1","zoneId":"gate-3","in":1.5,"out":0}""", "in" },
        { "/api/v1/cctv/crossings", """{"eventId":"{e}","zoneId":"gate-3","in":1,"out":0}""", "counterId" },
        { "/api/v1/cctv/crossings", """{"eventId":"{e}","counterId":"door-1","zoneId":"nowhere","in":1,"out":0}""", "zoneId" },
        { "/api/v1/cctv/axis?eventId={e}&zoneId=gate-3", """{"name":"x","in":5,"out":1}""", "serial" },
        { "/api/v1/cctv/axis?eventId={e}&zoneId=gate-3", """{"serial":"S1","in":5,"out":-1}""", "out" },
        { "/api/v1/events", """{"name":"E","center":{"lat":1,"lng":0},"zones":[{"name":"Bowtie","polygon":[{"lat":1,"lng":1},{"lat":1.001,"lng":1.001},{"lat":1.001,"lng":1},{"lat":1,"lng":1.001}]}]}""", "zones[0].polygon" },
        { "/api/v1/events", """{"name":"E","center":{"lat":1,"lng":0},"zones":[{"name":"Twice","polygon":[{"lat":1,"lng":1},{"lat":1.001,"lng":1},{"lat":1,"lng":1},{"lat":1.001,"lng":1.001}]}]}""", "zones[0].polygon" },
        { "/api/v1/events/{e}/zones", """{"name":"Line","polygon":[{"lat":1,"lng":1},{"lat":1.0005,"lng":1},{"lat":1.001,"lng":1}]}""", "polygon" },
        { "/api/v1/events/{e}/zones", """{"name":"Z","gateWidthM":-2}""", "gateWidthM" },
        { "/api/v1/users", """{"email":"x@tests.local","password":"long enough phrase 42","name":"X","role":"king"}""", "role" },
        { "/api/v1/users", """{"email":"x@tests.local","password":"short","name":"X","role":"viewer"}""", "password" },
        { "/api/v1/users", """{"email":"x@tests.local","password":"Password2026!","name":"X","role":"viewer"}""", "password" },
        { "/api/v1/users", """{"email":"x@tests.local","password":"12345678","name":"X","role":"viewer"}""", "password" },
        { "/api/v1/users", """{"email":"olivia.smith@tests.local","password":"olivia.smith-99","name":"X","role":"viewer"}""", "password" },
        { "/api/v1/users", """{"email":"not-an-email","password":"long enough phrase 42","name":"X","role":"viewer"}""", "email" },
        { "/api/v1/users", """{"email":"x@tests.local","password":"long enough phrase 42","name":"X","role":"viewer","eventIds":["no-such-event"]}""", "eventIds[0]" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task BadValue_Gets400NamingTheField_AndNothingIsStoredOrBroadcast(string path, string body, string field)
    {
        var seqBefore = await _api.LastSeqAsync(_s.AdminToken, _s.EventId);
        var pointsBefore = await PointsAsync();

        using var response = await _api.SendAsync(HttpMethod.Post, path.Replace("{e}", _s.EventId), _s.AdminToken,
            new StringContent(body.Replace("{e}", _s.EventId), Encoding.UTF8, "application/json"));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = JsonDocument.Parse(text).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors do not name '{field}': {errors}");
        Assert.Equal(seqBefore, await _api.LastSeqAsync(_s.AdminToken, _s.EventId));
        Assert.Equal(pointsBefore, await PointsAsync());
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={_s.EventId}", _s.AdminToken)).EnumerateArray());
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, $"/api/v1/reports?eventId={_s.EventId}", _s.AdminToken)).EnumerateArray());
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, $"/api/v1/actions?eventId={_s.EventId}", _s.AdminToken)).EnumerateArray());
        Assert.Empty((await _api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{_s.EventId}/counters", _s.AdminToken)).EnumerateArray());
        Assert.Equal(2, (await _api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{_s.EventId}", _s.AdminToken)).GetProperty("zones").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/v1/alerts?eventId={e}&status=closed", "status")]
    [InlineData("/api/v1/alerts", "eventId")]
    [InlineData("/api/v1/ai/predictions?eventId={e}&horizonMinutes=0", "horizonMinutes")]
    [InlineData("/api/v1/events/{e}/feed?after=-1", "after")]
    [InlineData("/api/v1/events/{e}/feed?limit=5000", "limit")]
    public async Task BadQuery_Gets400NamingTheParameter(string path, string field)
    {
        using var response = await _api.SendAsync(HttpMethod.Get, path.Replace("{e}", _s.EventId), _s.AdminToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.ToString());
    }

    [Fact]
    public async Task BatchOf1001Pings_IsRefused_AndNoneIsStored()
    {
        var pings = Enumerable.Range(0, 1001).Select(_ => new { lat = 51.5, lng = -0.1 }).ToArray();

        using var response = await _api.SendAsync(HttpMethod.Post, "/api/v1/pings", _s.AdminToken, new { eventId = _s.EventId, pings });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("\"pings\"", await response.Content.ReadAsStringAsync());
        Assert.Equal(0, await PointsAsync());
    }

    [Fact]
    public async Task MalformedJson_Gets400Problem()
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/api/v1/reports", _s.AdminToken,
            new StringContent("{\"eventId\": ", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task NonJsonBody_Gets415Problem()
    {
        using var response = await _api.SendAsync(HttpMethod.Post, "/api/v1/reports", _s.AdminToken,
            new StringContent("eventId=x&message=y", Encoding.UTF8, "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task OversizedBody_Gets413Problem()
    {
        var huge = new string('x', 2 * 1024 * 1024);
        var content = new StringContent($"{{\"eventId\":\"{_s.EventId}\",\"message\":\"{huge}\",\"type\":\"other\"}}", Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        // As curl does for large bodies: ask first (Expect: 100-continue). Without it the server may answer 413 and
        // close while the client is still writing, and the client sees a broken pipe instead of the answer.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/reports") { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _s.AdminToken);
        request.Headers.ExpectContinue = true;
        using var response = await _api.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownEvent_Gets404ForAdmin_And403ForNonMember()
    {
        using var asAdmin = await _api.SendAsync(HttpMethod.Post, "/api/v1/reports", _s.AdminToken, new { eventId = "nope", message = "m", type = "other" });
        using var asField = await _api.SendAsync(HttpMethod.Post, "/api/v1/reports", _s.TokenOf(Roles.Field), new { eventId = "nope", message = "m", type = "other" });

        Assert.Equal(HttpStatusCode.NotFound, asAdmin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, asField.StatusCode);
    }

    [Fact]
    public async Task DuplicateEmail_Gets409()
    {
        var body = new { email = $"dup-{Guid.NewGuid():N}@tests.local", password = "long enough phrase 42", name = "D", role = "viewer" };
        await _api.JsonAsync(HttpMethod.Post, "/api/v1/users", _s.AdminToken, body, HttpStatusCode.Created);

        using var again = await _api.SendAsync(HttpMethod.Post, "/api/v1/users", _s.AdminToken, body with { });

        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
    }

    private async Task<int> PointsAsync() =>
        (await _api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={_s.EventId}", _s.AdminToken)).GetProperty("points").GetArrayLength();
}

[Collection(AppCollection.Name)]
public sealed class ValidationTests(AppFixture app) : ValidationContract(app);

[Collection(PostgresCollection.Name)]
public sealed class ValidationPostgresTests(PostgresAppFixture app) : ValidationContract(app);
