using System.Net;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrowdShield.Tests.E2E;

/// <summary>Whole journeys in Debian's Chromium against the real app: the operator, the kiosk and the field tablet.</summary>
public sealed class CommandCenterJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static readonly LocatorAssertionsToBeVisibleOptions WithinThreeSeconds = new() { Timeout = 3000 };

    private static Task Shot(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, $"{name}.png"), FullPage = true });

    [Fact]
    public async Task OverThresholdCount_ShowsOnOperatorAndKiosk_AndResolvingItClearsItEverywhere()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (operatorContext, operatorPage, operatorErrors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        var (kioskContext, kioskPage, kioskErrors) = await app.OpenAsync($"/kiosk/{s.EventId}", s.Users[Roles.Viewer], 1920, 1080);
        await using var _ = operatorContext;
        await using var __ = kioskContext;

        var count = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 48 }, HttpStatusCode.Accepted);
        var alertId = count.GetProperty("alertId").GetString();
        var onOperator = operatorPage.Locator($"[data-testid=alert-item][data-alert-id='{alertId}']");
        var onKiosk = kioskPage.Locator($"[data-testid=alert-item][data-alert-id='{alertId}']");
        await Assertions.Expect(onOperator).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(onKiosk).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(onKiosk).ToHaveAttributeAsync("data-severity", "critical");
        await Assertions.Expect(kioskPage.Locator("[data-testid=map] .leaflet-interactive").First).ToBeVisibleAsync();
        await Shot(operatorPage, "command-center");
        await Shot(kioskPage, "kiosk");
        // The wall display has nothing to press even while it shows an alert the operator can act on.
        Assert.Equal(0, await kioskPage.Locator("button:visible").CountAsync());
        Assert.True(await operatorPage.Locator("button:visible").CountAsync() > 0);

        await onOperator.Locator("[data-testid=alert-resolve]").ClickAsync();

        await Assertions.Expect(onOperator).ToHaveCountAsync(0, new() { Timeout = 3000 });
        await Assertions.Expect(onKiosk).ToHaveCountAsync(0, new() { Timeout = 3000 });
        var resolved = await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={s.EventId}&status=resolved", s.AdminToken);
        Assert.Equal(alertId, Assert.Single(resolved.EnumerateArray()).GetProperty("id").GetString());
        Assert.Empty(operatorErrors);
        Assert.Empty(kioskErrors);
    }

    [Fact]
    public async Task FieldReport_FromTheTablet_ReachesTheOperator()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (operatorContext, operatorPage, operatorErrors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var _ = operatorContext;
        var (tablet, field, fieldErrors) = await app.NewTabletAsync(new Geolocation { Latitude = 51.50015f, Longitude = -0.09975f, Accuracy = 12 });
        await using var __ = tablet;
        await BrowserFixture.SignInAsync(field, $"/field/{s.EventId}", s.Users[Roles.Field].Email, s.Users[Roles.Field].Password);
        await BrowserFixture.ConnectedAsync(field);
        await Assertions.Expect(field.Locator("[data-testid=report-location]")).ToContainTextAsync("51.500");

        await field.ClickAsync("[data-testid=report-type-medical]");
        await field.FillAsync("[data-testid=report-message]", "Man collapsed by the gate 3 barrier");
        await field.ClickAsync("[data-testid=report-submit]");

        await Assertions.Expect(field.Locator("[data-testid=report-sent]")).ToBeVisibleAsync(WithinThreeSeconds);
        var onOperator = operatorPage.Locator("[data-testid=report-item]", new() { HasText = "Man collapsed by the gate 3 barrier" });
        await Assertions.Expect(onOperator).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(onOperator).ToContainTextAsync("Gate 3");
        var scrollWidth = await field.EvaluateAsync<int>("document.documentElement.scrollWidth");
        Assert.True(scrollWidth <= 800, $"the tablet view is {scrollWidth}px wide, wider than the 800 px tablet");
        await Shot(field, "field");
        Assert.Empty(fieldErrors);
        Assert.Empty(operatorErrors);
    }

    [Fact]
    public async Task SharingLocation_PutsTheStewardOnTheOperatorsStaffList_AndStopsWhenTurnedOff()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (operatorContext, operatorPage, operatorErrors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var _ = operatorContext;
        var (tablet, field, fieldErrors) = await app.NewTabletAsync(new Geolocation { Latitude = 51.5001f, Longitude = -0.0998f, Accuracy = 8 });
        await using var __ = tablet;
        await BrowserFixture.SignInAsync(field, $"/field/{s.EventId}", s.Users[Roles.Field].Email, s.Users[Roles.Field].Password);
        await BrowserFixture.ConnectedAsync(field);
        var sharing = field.Locator("[data-testid=location-sharing]");
        await Assertions.Expect(sharing).ToContainTextAsync("Off.");

        await field.CheckAsync("[data-testid=share-location]");

        await Assertions.Expect(sharing).ToContainTextAsync("Last sent");
        // The operator sees the steward by name, in the zone their position falls in, within a map update.
        var steward = operatorPage.Locator("[data-testid=staff-item]", new() { HasText = $"Test {Roles.Field}" });
        await Assertions.Expect(steward).ToContainTextAsync("in Gate 3");

        await field.UncheckAsync("[data-testid=share-location]");
        await Assertions.Expect(sharing).ToContainTextAsync("Off.");
        Assert.Empty(operatorErrors);
        Assert.Empty(fieldErrors);
    }

    [Fact]
    public async Task SharingLocation_WithoutPermission_SaysSo()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, field, errors) = await app.NewTabletAsync();
        await using var _ = context;
        await BrowserFixture.SignInAsync(field, $"/field/{s.EventId}", s.Users[Roles.Field].Email, s.Users[Roles.Field].Password);
        await BrowserFixture.ConnectedAsync(field);

        await field.CheckAsync("[data-testid=share-location]");

        await Assertions.Expect(field.Locator("[data-testid=location-sharing]")).ToContainTextAsync("Location access was refused.");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task FieldTablet_WithoutLocation_PicksAZone()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, field, errors) = await app.NewPageAsync(800, 1280);
        await using var _ = context;
        await BrowserFixture.SignInAsync(field, $"/field/{s.EventId}", s.Users[Roles.Field].Email, s.Users[Roles.Field].Password);
        await BrowserFixture.ConnectedAsync(field);

        await Assertions.Expect(field.Locator("[data-testid=report-zone]")).ToBeVisibleAsync(new() { Timeout = 10000 });
        await field.SelectOptionAsync("[data-testid=report-zone]", "stage");
        await field.ClickAsync("[data-testid=report-type-lost_person]");
        await field.FillAsync("[data-testid=report-message]", "Girl, 6, blue coat, lost her parents");
        await field.ClickAsync("[data-testid=report-submit]");

        await Assertions.Expect(field.Locator("[data-testid=report-sent]")).ToBeVisibleAsync(WithinThreeSeconds);
        var reports = await api.JsonAsync(HttpMethod.Get, $"/api/v1/reports?eventId={s.EventId}", s.AdminToken);
        var report = Assert.Single(reports.EnumerateArray());
        Assert.Equal(("stage", "lost_person"), (report.GetProperty("zoneId").GetString(), report.GetProperty("type").GetString()));
        Assert.Empty(errors);
    }

    [Fact]
    public async Task ActionOnOneOperatorScreen_AppearsInAnothersHistory()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var second = await api.CreateUserAsync(s.AdminToken, Roles.Operator, s.EventId);
        var (firstContext, first, firstErrors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        var (secondContext, other, otherErrors) = await app.OpenAsync($"/events/{s.EventId}", second);
        await using var _ = firstContext;
        await using var __ = secondContext;

        await first.ClickAsync("[data-testid=action-open_gate]");
        await first.SelectOptionAsync("[data-testid=action-zone]", "gate-3");
        await first.FillAsync("[data-testid=action-note]", "Relieve the queue");
        await first.ClickAsync("[data-testid=action-confirm]");

        var onOther = other.Locator("[data-testid=action-item]", new() { HasText = "Relieve the queue" });
        await Assertions.Expect(onOther).ToBeVisibleAsync(WithinThreeSeconds);
        await Assertions.Expect(onOther).ToContainTextAsync("Open gate");
        await Assertions.Expect(onOther).ToContainTextAsync("Gate 3");
        var actions = await api.JsonAsync(HttpMethod.Get, $"/api/v1/actions?eventId={s.EventId}", s.AdminToken);
        Assert.Equal("open_gate", Assert.Single(actions.EnumerateArray()).GetProperty("command").GetString());
        Assert.Empty(firstErrors);
        Assert.Empty(otherErrors);
    }

    [Fact]
    public async Task ShortNetworkLoss_ShowsReconnecting_AndNothingSentMeanwhileIsMissed()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, _) = await app.NewPageAsync();
        await using var __ = context;
        var console = new List<string>();
        page.Console += (_, m) => { lock (console) { console.Add($"{DateTime.UtcNow:ss.fff} {m.Type}: {m.Text}"); } };
        page.Request += (_, r) => { if (r.Url.Contains("_blazor")) { lock (console) { console.Add($"{DateTime.UtcNow:ss.fff} request {r.Method} {r.Url}"); } } };
        var sockets = new List<(IWebSocketRoute Page, IWebSocketRoute Server)>();
        var offline = false;
        await page.RouteWebSocketAsync("**/_blazor*", ws =>
        {
            if (offline)
            {
                _ = ws.CloseAsync();
                return;
            }
            lock (sockets)
            {
                sockets.Add((ws, ws.ConnectToServer()));
            }
        });
        await BrowserFixture.SignInAsync(page, $"/events/{s.EventId}", s.Users[Roles.Operator].Email, s.Users[Roles.Operator].Password);
        await BrowserFixture.ConnectedAsync(page);

        // The network drops: the circuit's socket closes and every reconnection attempt fails until it is back.
        offline = true;
        foreach (var (browserSide, serverSide) in sockets.ToList())
        {
            await serverSide.CloseAsync();
            await browserSide.CloseAsync();
        }
        await Assertions.Expect(page.Locator("[data-testid=connection-status]:is([data-state=reconnecting],[data-state=disconnected])"))
            .ToBeVisibleAsync(new() { Timeout = 5000 });
        await Shot(page, "command-center-reconnecting");
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Sent while the control room was offline", type = "security" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.AdminToken,
            new { eventId = s.EventId, command = "announcement", note = "Also sent while offline" }, HttpStatusCode.Created);
        offline = false;

        await BrowserFixture.ConnectedAsync(page);
        try
        {
            await Assertions.Expect(page.Locator("[data-testid=report-item]", new() { HasText = "Sent while the control room was offline" })).ToBeVisibleAsync(new() { Timeout = 5000 });
        }
        catch (PlaywrightException)
        {
            await Shot(page, "network-loss-failure");
            throw new Xunit.Sdk.XunitException($"{string.Join("\n", console)}\nsockets {sockets.Count}; state {await page.Locator("[data-testid=connection-status]").GetAttributeAsync("data-state")}; reports: {await page.Locator("[data-testid=reports-panel]").InnerTextAsync()}");
        }
        await Assertions.Expect(page.Locator("[data-testid=action-item]", new() { HasText = "Also sent while offline" })).ToBeVisibleAsync(new() { Timeout = 5000 });
    }

    [Fact]
    public async Task HomePage_ListsTheEvent_WithItsPages()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, errors) = await app.NewPageAsync();
        await using var _ = context;

        await BrowserFixture.SignInAsync(page, "/", s.Users[Roles.Operator].Email, s.Users[Roles.Operator].Password);

        await Assertions.Expect(page.Locator("[data-testid=event-card]")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Command center")).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Wall display")).ToBeVisibleAsync();
        await Shot(page, "events");
        Assert.Empty(errors);
    }

    [Fact]
    public async Task FieldStaff_CannotOpenTheCommandCenter()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var field = s.Users[Roles.Field];
        var (context, page, _) = await app.NewPageAsync();
        await using var __ = context;

        await BrowserFixture.SignInAsync(page, $"/events/{s.EventId}", field.Email, field.Password);

        await Assertions.Expect(page.GetByText("Your role may not open this page")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-testid=alerts-panel]").CountAsync());
    }

    [Fact]
    public async Task DeviceAccount_CannotOpenTheWallDisplay()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var device = s.Users[Roles.Device];
        var (context, page, _) = await app.NewPageAsync();
        await using var __ = context;

        await BrowserFixture.SignInAsync(page, $"/kiosk/{s.EventId}", device.Email, device.Password);

        await Assertions.Expect(page.GetByText("Your role may not open this page")).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("[data-testid=alerts-panel]").CountAsync());
    }

    [Fact]
    public async Task WrongPassword_StaysOnTheLoginPage_WithAnError()
    {
        var (context, page, errors) = await app.NewPageAsync();
        await using var _ = context;

        await BrowserFixture.SignInAsync(page, "/", AppFixture.AdminEmail, "wrong-password");

        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
        Assert.Contains("/login", page.Url);
        await Shot(page, "login");
        Assert.Empty(errors);
    }
}
