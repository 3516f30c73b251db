using System.Net;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using CrowdShieldDb = CrowdShield.Core.Data.CrowdShieldDb;

namespace CrowdShield.Tests.E2E;

/// <summary>From alert to response in Chromium: the alarm and its mute, comments and assignees, "on it" from the field.</summary>
public sealed class ResponseJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions WithinThreeSeconds = new() { Timeout = 3000 };

    private static async Task<string> CriticalAlertAsync(ApiClient api, Scenario s)
    {
        // gate-3's threshold is 30: 48 is past 1.5× of it, critical.
        var count = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 48 }, HttpStatusCode.Accepted);
        return count.GetProperty("alertId").GetString()!;
    }

    [Fact]
    public async Task ACriticalAlert_SoundsTheAlarm_MuteSilencesThisBrowserOnly_AndAcknowledgeEndsIt()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var _ = context;
        var alarm = page.Locator("[data-testid=alarm-mute]");
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "silent");
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-muted", "false");

        var alertId = await CriticalAlertAsync(api, s);

        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "sounding", new() { Timeout = 3000 });
        await alarm.ClickAsync();
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-muted", "true");
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "muted");
        // Muting never hides the alert.
        var item = page.Locator($"[data-testid=alert-item][data-alert-id='{alertId}']");
        await Assertions.Expect(item).ToBeVisibleAsync();

        // The mute belongs to this browser: it outlives a reload; another browser still sounds.
        await page.ReloadAsync();
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-muted", "true", new() { Timeout = 15000 });
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "muted");
        var (otherContext, other, otherErrors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var __ = otherContext;
        await Assertions.Expect(other.Locator("[data-testid=alarm-mute]")).ToHaveAttributeAsync("data-alarm", "sounding");

        await alarm.ClickAsync();
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "sounding");
        await item.Locator("[data-testid=alert-acknowledge]").ClickAsync();
        await Assertions.Expect(alarm).ToHaveAttributeAsync("data-alarm", "silent", new() { Timeout = 3000 });
        await Assertions.Expect(other.Locator("[data-testid=alarm-mute]")).ToHaveAttributeAsync("data-alarm", "silent", new() { Timeout = 3000 });
        Assert.Empty(errors);
        Assert.Empty(otherErrors);
    }

    [Fact]
    public async Task ACommentAndAnAssignee_ReachEveryScreen_AsText()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        var (kioskContext, kiosk, kioskErrors) = await app.OpenAsync($"/kiosk/{s.EventId}", s.Users[Roles.Viewer], 1920, 1080);
        await using var _ = context;
        await using var __ = kioskContext;
        var alertId = await CriticalAlertAsync(api, s);
        var item = page.Locator($"[data-testid=alert-item][data-alert-id='{alertId}']");
        await Assertions.Expect(item).ToBeVisibleAsync(WithinThreeSeconds);

        const string Hostile = "Stewards at the barrier <img src=x onerror=\"window.__pwned=1\">";
        await item.Locator("[data-testid=alert-comment-input]").FillAsync(Hostile);
        await item.Locator("[data-testid=alert-comment-add]").ClickAsync();
        await item.Locator("[data-testid=alert-assign-me]").ClickAsync();

        var onKiosk = kiosk.Locator($"[data-testid=alert-item][data-alert-id='{alertId}']");
        await Assertions.Expect(onKiosk.Locator("[data-testid=alert-comment]")).ToContainTextAsync(Hostile, new() { Timeout = 3000 });
        await Assertions.Expect(onKiosk.Locator("[data-testid=alert-assignee]")).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(item.Locator("[data-testid=alert-comment-input]")).ToHaveValueAsync("");
        Assert.Equal(0, await kiosk.Locator("[data-testid=alert-comment] img").CountAsync());
        Assert.False(await kiosk.EvaluateAsync<bool>("() => window.__pwned === 1"));
        Assert.False(await page.EvaluateAsync<bool>("() => window.__pwned === 1"));

        var stored = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}", s.AdminToken);
        var alert = stored.EnumerateArray().Single(a => a.GetProperty("id").GetString() == alertId);
        Assert.Equal(Hostile, Assert.Single(alert.GetProperty("comments").EnumerateArray()).GetProperty("text").GetString());
        Assert.Equal(s.Users[Roles.Operator].Id, alert.GetProperty("assignee").GetProperty("id").GetString());
        Assert.Empty(errors);
        Assert.Empty(kioskErrors);
    }

    [Fact]
    public async Task AnActionForAZone_IsTakenFromTheTablet_AndTheOperatorSeesWhoIsOnIt()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        var (tabletContext, tablet, tabletErrors) = await app.OpenAsync($"/field/{s.EventId}", s.Users[Roles.Field], 800, 1280);
        await using var _ = context;
        await using var __ = tabletContext;

        var action = await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator),
            new { eventId = s.EventId, command = "dispatch_staff", zoneId = "gate-3", note = "Two stewards to the barrier" }, HttpStatusCode.Created);
        var actionId = action.GetProperty("id").GetString();
        var venueWide = await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator),
            new { eventId = s.EventId, command = "announcement", note = "Welcome" }, HttpStatusCode.Created);

        var onTablet = tablet.Locator($"[data-testid=action-item][data-action-id='{actionId}']");
        await Assertions.Expect(onTablet.Locator("[data-testid=action-take]")).ToBeVisibleAsync(WithinThreeSeconds);
        // Only actions aimed at a zone are something to go and do.
        var announcement = tablet.Locator($"[data-testid=action-item][data-action-id='{venueWide.GetProperty("id").GetString()}']");
        await Assertions.Expect(announcement).ToBeVisibleAsync(WithinThreeSeconds);
        Assert.Equal(0, await announcement.Locator("[data-testid=action-take]").CountAsync());

        await onTablet.Locator("[data-testid=action-take]").ClickAsync();

        var onOperator = page.Locator($"[data-testid=action-item][data-action-id='{actionId}'] [data-testid=action-taken-by]");
        await Assertions.Expect(onOperator).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(onTablet.Locator("[data-testid=action-take]")).ToHaveCountAsync(0);
        var stored = await api.JsonAsync(HttpMethod.Get, $"/api/v1/actions?eventId={s.EventId}", s.AdminToken);
        var taken = stored.EnumerateArray().Single(a => a.GetProperty("id").GetString() == actionId);
        Assert.False(string.IsNullOrEmpty(taken.GetProperty("takenBy").GetString()));
        Assert.Empty(errors);
        Assert.Empty(tabletErrors);
    }

    [Fact]
    public async Task TheShiftLog_ShowsWhatHappened_FiltersIt_AndExportsTheSameSelection()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var alertId = await CriticalAlertAsync(api, s);
        await api.JsonAsync(HttpMethod.Post, $"/api/v1/alerts/{alertId}/comments", s.TokenOf(Roles.Operator),
            new { text = "Barrier line holding, two stewards sent" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Queue spilling onto the road", type = "overcrowding", zoneId = "gate-3" }, HttpStatusCode.Created);
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var _ = context;

        await page.ClickAsync("[data-testid=open-log]");
        await page.WaitForURLAsync($"**/events/{s.EventId}/log");
        await Assertions.Expect(page.Locator("[data-testid=page-interactive]")).ToBeAttachedAsync(new() { Timeout = 15000 });
        var entries = page.Locator("[data-testid=log-entry]");
        await Assertions.Expect(entries.And(page.Locator($"[data-kind=alert][data-ref='{alertId}']"))).ToBeVisibleAsync();
        var comment = entries.Filter(new() { HasText = "Barrier line holding" });
        await Assertions.Expect(comment).ToHaveAttributeAsync("data-kind", "comment");
        await Assertions.Expect(entries.Filter(new() { HasText = "Queue spilling onto the road" })).ToBeVisibleAsync();

        await page.Locator("[data-testid=log-kind-comment]").UncheckAsync();
        await Assertions.Expect(page.Locator("[data-testid=log-kind-comment]")).Not.ToBeCheckedAsync();
        await Assertions.Expect(page.Locator("[data-testid=log-export-csv]")).ToHaveAttributeAsync("href", new System.Text.RegularExpressions.Regex("kind="));
        await Assertions.Expect(comment).ToHaveCountAsync(0);
        await Assertions.Expect(entries.Filter(new() { HasText = "Queue spilling onto the road" })).ToBeVisibleAsync();

        // The export link carries the same selection, and the browser's session is enough to download it.
        var href = await page.Locator("[data-testid=log-export-csv]").GetAttributeAsync("href");
        Assert.Contains("kind=", href);
        var csv = await page.APIRequest.GetAsync(href!);
        Assert.Equal(200, csv.Status);
        var text = await csv.TextAsync();
        Assert.Contains("Queue spilling onto the road", text);
        Assert.DoesNotContain("Barrier line holding", text);
        var pdf = await page.APIRequest.GetAsync((await page.Locator("[data-testid=log-export-pdf]").GetAttributeAsync("href"))!);
        Assert.Equal("application/pdf", pdf.Headers["content-type"]);
        Assert.Empty(errors);

        // Field staff may not read the log.
        var (fieldContext, field, _) = await app.NewPageAsync(800, 1280);
        await using var __ = fieldContext;
        await BrowserFixture.SignInAsync(field, $"/events/{s.EventId}/log", s.Users[Roles.Field].Email, s.Users[Roles.Field].Password);
        await Assertions.Expect(field.Locator("[data-testid=log-entry]")).ToHaveCountAsync(0);
        Assert.DoesNotContain("/log", new Uri(field.Url).AbsolutePath);
    }

    [Fact]
    public async Task TheTablet_AsksOnceForPushNotifications()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, tablet, errors) = await app.OpenAsync($"/field/{s.EventId}", s.Users[Roles.Field], 800, 1280);
        await using var _ = context;

        var ask = tablet.Locator("[data-testid=push-opt-in][data-state=ask]");
        await Assertions.Expect(ask).ToBeVisibleAsync(WithinThreeSeconds);
        await tablet.ClickAsync("[data-testid=push-decline]");
        await Assertions.Expect(tablet.Locator("[data-testid=push-opt-in]")).ToHaveCountAsync(0);

        await tablet.ReloadAsync();
        await Assertions.Expect(tablet.Locator("[data-testid=connection-status][data-state=connected]")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Assertions.Expect(tablet.Locator("[data-testid=report-form]")).ToBeVisibleAsync();
        await Task.Delay(500);
        Assert.Equal(0, await tablet.Locator("[data-testid=push-opt-in]").CountAsync());
        Assert.Empty(errors);
    }

    [Fact]
    public async Task AnAdmin_EditsTheRoutingTable_WithErrorsOnTheirLine_AndSendsAFailedDeliveryAgain()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        long deadId;
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>().CreateDbContextAsync())
        {
            var dead = new Notification
            {
                EventId = s.EventId, Channel = Channels.Webhook, Target = "http://127.0.0.1:9/hook", Kind = NotificationKinds.Alert, Body = "{}",
                Status = NotificationStatus.Dead, Attempts = 8, LastError = "Connection refused", CreatedAt = DateTimeOffset.UtcNow,
                NextAttemptAt = DateTimeOffset.UtcNow,
            };
            db.Notifications.Add(dead);
            await db.SaveChangesAsync();
            deadId = dead.Id;
        }
        var admin = new TestUser("admin", AppFixture.AdminEmail, AppFixture.AdminPassword, Roles.Admin, s.AdminToken);
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", admin);
        await using var _ = context;

        await page.ClickAsync("[data-testid=open-notifications]");
        await page.WaitForURLAsync($"**/events/{s.EventId}/notifications");
        await Assertions.Expect(page.Locator("[data-testid=page-interactive]")).ToBeAttachedAsync(new() { Timeout = 15000 });

        await page.ClickAsync("[data-testid=rule-add]");
        await page.ClickAsync("[data-testid=rule-add]");
        var rules = page.Locator("[data-testid=routing-rule]");
        await rules.Nth(0).Locator("[data-testid=rule-target]").FillAsync("https://incident.example/hooks/crowdshield");
        await rules.Nth(0).Locator("[data-testid=rule-secret]").FillAsync("s3cret-for-hmac");
        await rules.Nth(1).Locator("[data-testid=rule-channel]").SelectOptionAsync("email");
        await rules.Nth(1).Locator("[data-testid=rule-level]").FillAsync("2");
        await rules.Nth(1).Locator("[data-testid=rule-target]").FillAsync("not an address");
        await page.ClickAsync("[data-testid=routing-save]");

        await Assertions.Expect(rules.Nth(1).Locator("[data-testid=rule-error]")).ToContainTextAsync("e-mail");
        Assert.Equal(0, await rules.Nth(0).Locator("[data-testid=rule-error]").CountAsync());
        var unchanged = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/routing", s.AdminToken);
        Assert.Empty(unchanged.EnumerateArray());

        await rules.Nth(1).Locator("[data-testid=rule-target]").FillAsync("duty.manager@venue.example");
        await page.ClickAsync("[data-testid=routing-save]");
        await Assertions.Expect(page.Locator("[data-testid=routing-saved]")).ToBeVisibleAsync();
        var saved = (await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}/routing", s.AdminToken)).EnumerateArray().ToList();
        Assert.Equal(2, saved.Count);
        Assert.Contains(saved, r => r.GetProperty("channel").GetString() == "webhook" && r.GetProperty("signed").GetBoolean());
        Assert.Contains(saved, r => r.GetProperty("channel").GetString() == "email" && r.GetProperty("level").GetInt32() == 2);

        var delivery = page.Locator("[data-testid=delivery][data-status=dead]");
        await Assertions.Expect(delivery).ToContainTextAsync("Connection refused");
        await delivery.Locator("[data-testid=delivery-retry]").ClickAsync();
        await Assertions.Expect(page.Locator("[data-testid=delivery][data-status=dead]")).ToHaveCountAsync(0);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<CrowdShieldDb>>().CreateDbContextAsync())
        {
            Assert.NotEqual(NotificationStatus.Dead, (await db.Notifications.SingleAsync(n => n.Id == deadId)).Status);
        }
        Assert.Empty(errors);
    }
}
