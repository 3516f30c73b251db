using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using CrowdShield.Core.Notifications;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace CrowdShield.Tests.Notifications;

/// <summary>
/// The app with two configured webhooks on a receiver of the test's own: one that answers (signed with a secret)
/// and one that hangs; escalation after two seconds, quick retries.
/// </summary>
public sealed class NotificationsAppFixture : AppFixture
{
    public const string Secret = "webhook-secret-for-tests";

    public WebhookReceiver Receiver { get; private set; } = default!;

    public SmtpSink Mail { get; } = new();

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Notifications:Webhooks:0:Url", Receiver.Url("/hook")),
        new("Notifications:Webhooks:0:Secret", Secret),
        new("Notifications:Webhooks:1:Url", Receiver.Url("/hang")),
        new("Notifications:EscalateAfter", "00:00:02"),
        new("Notifications:MaxEscalationLevel", "2"),
        new("Notifications:RetryBase", "00:00:00.200"),
        new("Notifications:AttemptTimeout", "00:00:03"),
        new("Notifications:MaxAttempts", "3"),
        new("Notifications:Email:Host", "127.0.0.1"),
        new("Notifications:Email:Port", Mail.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Notifications:Email:Security", "None"),
        new("Notifications:Email:From", "crowdshield@tests.local"),
    ];

    public override async Task InitializeAsync()
    {
        Receiver = await WebhookReceiver.StartAsync();
        await base.InitializeAsync();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Receiver.DisposeAsync();
        await Mail.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class NotificationsCollection : ICollectionFixture<NotificationsAppFixture>
{
    public const string Name = "app with webhooks";
}

[Collection(NotificationsCollection.Name)]
public sealed class NotificationTests(NotificationsAppFixture app)
{
    private static object Count(string eventId, int count, string zoneId = "gate-3") =>
        new { eventId, cameraId = $"cam-{zoneId}", zoneId, count };

    private static Func<IReadOnlyList<Delivery>, bool> Has(string path, string alertId, string kind = NotificationKinds.Alert, int answered = 201) =>
        all => all.Any(d => d.Path == path && d.Answered == answered && d.Json.GetProperty("alert").GetProperty("id").GetString() == alertId
            && d.Json.GetProperty("kind").GetString() == kind);

    private static async Task<string> RaiseAsync(ApiClient api, Scenario s, int count, string zoneId = "gate-3")
    {
        var result = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device), Count(s.EventId, count, zoneId), HttpStatusCode.Accepted);
        return result.GetProperty("alertId").GetString()!;
    }

    [Fact]
    public async Task NewAlert_IsPostedToTheWebhook_WithTheContractBody_AndAValidSignature()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        var alertId = await RaiseAsync(api, s, 40);

        var delivery = (await app.Receiver.WaitForAsync(Has("/hook", alertId))).First(d => d.Path == "/hook" && d.Json.GetProperty("alert").GetProperty("id").GetString() == alertId);
        var body = delivery.Json;
        Assert.Equal("alert", body.GetProperty("kind").GetString());
        Assert.Equal(s.EventId, body.GetProperty("eventId").GetString());
        Assert.Equal("Test festival", body.GetProperty("eventName").GetString());
        Assert.True(body.TryGetProperty("at", out _));
        Assert.Equal("warning", body.GetProperty("alert").GetProperty("severity").GetString());
        Assert.Equal("gate-3", body.GetProperty("alert").GetProperty("zoneId").GetString());
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("webhook-secret-for-tests"u8.ToArray(), System.Text.Encoding.UTF8.GetBytes(delivery.Body)));
        Assert.Equal(expected, delivery.Headers["X-CrowdShield-Signature"]);
        Assert.StartsWith("application/json", delivery.Headers["Content-Type"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedDelivery_IsRetriedWithBackoff_UntilTheReceiverAccepts()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        app.Receiver.FailNext(s.EventId, 2);

        var alertId = await RaiseAsync(api, s, 40);

        var deliveries = await app.Receiver.WaitForAsync(Has("/hook", alertId));
        var attempts = deliveries.Where(d => d.Path == "/hook" && d.Json.GetProperty("alert").GetProperty("id").GetString() == alertId).ToList();
        Assert.Equal([500, 500, 201], attempts.Select(d => d.Answered));
        // The same message each time: one body, one signature.
        Assert.Single(attempts.Select(d => d.Body).Distinct());
        await Eventually.TrueAsync(async () =>
        {
            var sent = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/notifications?status=sent", s.TokenOf(Roles.Operator));
            return sent.EnumerateArray().Any(n => n.GetProperty("alertId").GetString() == alertId && n.GetProperty("target").GetString()!.EndsWith("/hook", StringComparison.Ordinal)
                && n.GetProperty("attempts").GetInt32() == 3);
        });
    }

    [Fact]
    public async Task HangingReceiver_NeitherSlowsIngest_NorHoldsUpTheOtherHook_AndEndsAsADeadLetter()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        // A count below the threshold first: the ingest path is warm, and nothing is sent for it.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            Count(s.EventId, 1), HttpStatusCode.Accepted);

        var clock = Stopwatch.StartNew();
        var alertId = await RaiseAsync(api, s, 40);
        var first = clock.Elapsed;
        var second = await RaiseAsync(api, s, 70, "stage");
        var both = clock.Elapsed;

        // Every alert is also posted to a receiver that never answers: a call that waited for it would take at
        // least the 3-s attempt timeout. Each returned well before it.
        Assert.True(first < TimeSpan.FromSeconds(3) && both - first < TimeSpan.FromSeconds(3),
            $"ingest took {first.TotalMilliseconds:0} ms and {(both - first).TotalMilliseconds:0} ms");
        // …and the answering hook got both without waiting for the hanging one's timeout.
        await app.Receiver.WaitForAsync(d => Has("/hook", alertId)(d) && Has("/hook", second)(d), TimeSpan.FromSeconds(5));
        // The hanging hook is retried and, after Notifications:MaxAttempts, shown as a dead letter.
        var dead = default(JsonElement);
        await Eventually.TrueAsync(async () =>
        {
            dead = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/notifications?status=dead", s.TokenOf(Roles.Operator));
            return dead.EnumerateArray().Any(n => n.GetProperty("alertId").GetString() == alertId);
        }, TimeSpan.FromSeconds(30));
        var letter = dead.EnumerateArray().First(n => n.GetProperty("alertId").GetString() == alertId);
        Assert.EndsWith("/hang", letter.GetProperty("target").GetString(), StringComparison.Ordinal);
        Assert.Equal(3, letter.GetProperty("attempts").GetInt32());
        Assert.Contains("No answer", letter.GetProperty("lastError").GetString(), StringComparison.Ordinal);

        // An admin can send it again: it is pending, from its first attempt.
        var retried = await api.JsonAsync(HttpMethod.Post, $"/api/v1/notifications/{letter.GetProperty("id").GetInt64()}/retry", s.AdminToken);
        Assert.Equal("pending", retried.GetProperty("status").GetString());
        Assert.Equal(0, retried.GetProperty("attempts").GetInt32());
        using var forbidden = await api.SendAsync(HttpMethod.Post, $"/api/v1/notifications/{letter.GetProperty("id").GetInt64()}/retry", s.TokenOf(Roles.Operator));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
    }

    [Fact]
    public async Task UnacknowledgedCriticalAlert_Escalates_OnScreensAndByWebhook_AndAnAcknowledgedOneDoesNot()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));

        var ignored = await RaiseAsync(api, s, 60);                 // 2 × the threshold of 30: critical
        var handled = await RaiseAsync(api, s, 120, "stage");       // 2.4 × 50: critical
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{handled}/acknowledge", s.TokenOf(Roles.Operator));

        var received = await hub.WaitForAsync(r => r.Any(x => x.Method == MessageTypes.AlertUpdated
            && x.Payload.GetProperty("id").GetString() == ignored && x.Payload.GetProperty("escalationLevel").GetInt32() == 1), TimeSpan.FromSeconds(15));
        var update = received.First(x => x.Method == MessageTypes.AlertUpdated && x.Payload.GetProperty("id").GetString() == ignored
            && x.Payload.GetProperty("escalationLevel").GetInt32() == 1).Payload;
        Assert.Equal(JsonValueKind.String, update.GetProperty("escalatedAt").ValueKind);
        var escalation = (await app.Receiver.WaitForAsync(Has("/hook", ignored, NotificationKinds.Escalation)))
            .First(d => d.Path == "/hook" && d.Json.GetProperty("kind").GetString() == "escalation" && d.Json.GetProperty("alert").GetProperty("id").GetString() == ignored);
        Assert.Equal(2, escalation.Json.GetProperty("level").GetInt32());

        // Acknowledging stops it: whatever level it had reached, it goes no further.
        var acknowledged = await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{ignored}/acknowledge", s.TokenOf(Roles.Operator));
        var reached = acknowledged.GetProperty("escalationLevel").GetInt32();
        Assert.InRange(reached, 1, 2);
        await Task.Delay(TimeSpan.FromSeconds(4));
        var alerts = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.TokenOf(Roles.Operator));
        var levels = alerts.EnumerateArray().ToDictionary(a => a.GetProperty("id").GetString()!, a => a.GetProperty("escalationLevel").GetInt32());
        Assert.Equal(reached, levels[ignored]);
        Assert.Equal(0, levels[handled]);
        Assert.DoesNotContain(app.Receiver.Deliveries, d => d.Path == "/hook" && d.Json.GetProperty("kind").GetString() == "escalation"
            && d.Json.GetProperty("alert").GetProperty("id").GetString() == handled);
    }

    [Fact]
    public async Task RoutingTable_SendsBySeverityAndLevel_AndRejectsBadLinesByField()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();

        var bad = await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/routing", s.AdminToken, new
        {
            rules = new object[]
            {
                new { level = 1, minSeverity = "critical", channel = "email", target = "not an address" },
                new { level = 9, minSeverity = "bad", channel = "push", target = "everyone", zoneId = "nowhere" },
            },
        }, HttpStatusCode.BadRequest);
        var errors = bad.GetProperty("errors");
        foreach (var field in (string[])["rules[0].target", "rules[1].level", "rules[1].minSeverity", "rules[1].target", "rules[1].zoneId"])
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }
        Assert.Empty((await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/routing", s.TokenOf(Roles.Operator))).EnumerateArray());
        using (var operatorPut = await api.SendAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/routing", s.TokenOf(Roles.Operator), new { rules = Array.Empty<object>() }))
        {
            Assert.Equal(HttpStatusCode.Forbidden, operatorPut.StatusCode);
        }

        var routed = $"/routed-{Guid.NewGuid():N}";
        var table = await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/routing", s.AdminToken, new
        {
            rules = new object[]
            {
                new { level = 1, minSeverity = "critical", zoneId = "stage", channel = "webhook", target = app.Receiver.Url(routed + "/first"), secret = "s1" },
                new { level = 2, minSeverity = "critical", channel = "webhook", target = app.Receiver.Url(routed + "/duty-manager") },
            },
        });
        Assert.Equal(2, table.GetArrayLength());
        Assert.True(table[0].GetProperty("signed").GetBoolean());
        Assert.False(table[0].TryGetProperty("secret", out _));

        var warning = await RaiseAsync(api, s, 60, "stage");    // 1.2 × 50: a warning, below the table's minimum
        var critical = await RaiseAsync(api, s, 100, "gate-3");  // critical, but the level-1 line is for the stage only
        await app.Receiver.WaitForAsync(Has("/hook", critical));
        var escalated = await app.Receiver.WaitForAsync(Has(routed + "/duty-manager", critical, NotificationKinds.Escalation), TimeSpan.FromSeconds(15));
        Assert.DoesNotContain(escalated, d => d.Path.StartsWith(routed, StringComparison.Ordinal) && d.Json.GetProperty("alert").GetProperty("id").GetString() == warning);
        Assert.DoesNotContain(escalated, d => d.Path == routed + "/first");

        var audit = await api.JsonAsync(HttpMethod.Get, $"/api/v1/audit?eventId={s.EventId}", s.AdminToken);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "routing_changed");
    }

    [Fact]
    public async Task Push_ReachesARegisteredTablet_WithVapid_AndAnEncryptedPayload()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/routing", s.AdminToken, new
        {
            rules = new object[] { new { level = 1, minSeverity = "warning", channel = "push", target = "field" } },
        });
        // The tablet's browser subscription: its P-256 key and auth secret, an endpoint at the (test's) push service.
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        var endpoint = app.Receiver.Url($"/push/{Guid.NewGuid():N}");
        var field = s.Users[Roles.Field];
        var caller = new Caller(field.Id, field.Email, "Test field", Roles.Field, new HashSet<string> { s.EventId });
        await app.Services.GetRequiredService<RoutingTable>().RegisterPushAsync(s.EventId,
            new PushRegistrationInput(endpoint, Base64Url([0x04, .. q.X!, .. q.Y!]), Base64Url(RandomNumberGenerator.GetBytes(16))), caller);

        await RaiseAsync(api, s, 40);

        var push = (await app.Receiver.WaitForAsync(d => d.Any(x => endpoint.EndsWith(x.Path, StringComparison.Ordinal))))
            .First(x => endpoint.EndsWith(x.Path, StringComparison.Ordinal));
        Assert.StartsWith("vapid t=", push.Headers["Authorization"], StringComparison.Ordinal);
        Assert.Equal("aes128gcm", push.Headers["Content-Encoding"]);
        Assert.Equal("high", push.Headers["Urgency"]);
        Assert.DoesNotContain("gate-3", push.Body, StringComparison.Ordinal); // encrypted for the tablet alone
    }

    [Fact]
    public async Task Email_GoesThroughSmtp_ToTheRoutedAddress()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var address = $"duty-{Guid.NewGuid():N}@venue.example";
        await api.JsonAsync(HttpMethod.Put, $"/api/v1/events/{s.EventId}/routing", s.AdminToken, new
        {
            rules = new object[] { new { level = 1, minSeverity = "critical", channel = "email", target = address } },
        });

        await RaiseAsync(api, s, 40, "gate-3");   // a warning: not for this line
        await RaiseAsync(api, s, 120, "stage");   // critical

        await Eventually.TrueAsync(() => app.Mail.Mails.Any(m => m.To.Contains(address)), TimeSpan.FromSeconds(15));
        var mail = Assert.Single(app.Mail.Mails, m => m.To.Contains(address));
        Assert.Equal("crowdshield@tests.local", mail.From);
        Assert.Contains("Subject: [CrowdShield] CRITICAL: Main stage", mail.Data, StringComparison.Ordinal);
        Assert.Contains("Acknowledge it in the CrowdShield command center.", mail.Data, StringComparison.Ordinal);
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
