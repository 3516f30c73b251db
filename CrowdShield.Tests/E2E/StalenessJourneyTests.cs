using System.Diagnostics;
using System.Net;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrowdShield.Tests.E2E;

/// <summary>A screen never claims to be live when it is not: a silent network loss shows within 5 s, and coming back catches up.</summary>
public sealed class StalenessJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static readonly TimeSpan Within = TimeSpan.FromSeconds(5);

    private static Task NotConnectedWithinAsync(IPage page) =>
        Assertions.Expect(page.Locator("[data-testid=connection-status]:is([data-state=reconnecting],[data-state=disconnected])"))
            .ToBeVisibleAsync(new() { Timeout = (float)Within.TotalMilliseconds });

    [Fact]
    public async Task NetworkGoneSilently_IndicatorLeavesGreenAndLiveStops_Within5s_ThenCatchesUp()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, errors) = await app.OpenAsync($"/events/{s.EventId}", s.Users[Roles.Operator]);
        await using var _ = context;

        // Wi-Fi gone: nothing is closed, the socket simply stops carrying anything.
        await context.SetOfflineAsync(true);
        await NotConnectedWithinAsync(page);
        var liveOpacity = await page.Locator("[data-testid=live-indicator]").First.EvaluateAsync<string>("e => getComputedStyle(e).opacity");
        Assert.True(double.Parse(liveOpacity, System.Globalization.CultureInfo.InvariantCulture) < 0.5, $"the LIVE mark still looks live (opacity {liveOpacity})");
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Filed while the control room had no network", type = "security" }, HttpStatusCode.Created);

        await context.SetOfflineAsync(false);

        await BrowserFixture.ConnectedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=report-item]", new() { HasText = "Filed while the control room had no network" }))
            .ToBeVisibleAsync(new() { Timeout = 10000 });
        var opacityAfter = await page.Locator("[data-testid=live-indicator]").First.EvaluateAsync<string>("e => getComputedStyle(e).opacity");
        Assert.True(double.Parse(opacityAfter, System.Globalization.CultureInfo.InvariantCulture) > 0.5);
        // The lost connection is logged by the browser; nothing else may have gone wrong.
        Assert.True(!errors.Any(e => !e.Contains("WebSocket", StringComparison.OrdinalIgnoreCase) && !e.Contains("net::ERR_", StringComparison.Ordinal)
            && !e.Contains("connection", StringComparison.OrdinalIgnoreCase)), string.Join("\n", errors));
    }

    [Fact]
    public async Task StalledSocket_WithTheBrowserStillOnline_KioskShowsSinceWhenItIsStale_Within5s()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var (context, page, _) = await app.NewPageAsync(1920, 1080);
        await using var __ = context;
        // A socket that stops carrying frames, both ways, without closing: the one failure the browser cannot see.
        var stalled = false;
        await page.RouteWebSocketAsync("**/_blazor*", ws =>
        {
            if (stalled)
            {
                return;
            }
            var server = ws.ConnectToServer();
            ws.OnMessage(m => { if (!stalled) { Forward(server, m); } });
            server.OnMessage(m => { if (!stalled) { Forward(ws, m); } });
        });
        await BrowserFixture.SignInAsync(page, $"/kiosk/{s.EventId}", s.Users[Roles.Viewer].Email, s.Users[Roles.Viewer].Password);
        await BrowserFixture.ConnectedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=stale-banner]")).ToHaveCountAsync(0);

        stalled = true;
        var clock = Stopwatch.StartNew();
        var banner = page.Locator("[data-testid=stale-banner]");
        await Assertions.Expect(banner).ToBeVisibleAsync(new() { Timeout = (float)Within.TotalMilliseconds });
        Assert.True(clock.Elapsed <= Within, $"stale shown after {clock.Elapsed}");
        await Assertions.Expect(banner).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^Data is stale since \d\d:\d\d:\d\d"));
        await Assertions.Expect(page.Locator("[data-testid=connection-status]")).Not.ToHaveAttributeAsync("data-state", "connected");

        stalled = false;

        // Back: the page reconnects (or, its circuit gone, reloads) and the banner goes.
        await BrowserFixture.ConnectedAsync(page, 40000);
        await Assertions.Expect(banner).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Kiosk_WhoseCircuitTheServerLost_ReloadsItself_AndShowsWhatHappenedMeanwhile()
    {
        // A server of its own, restarted under the kiosk: circuits live in its memory, so the kiosk's is gone for good.
        await using var node = new AppNode("kiosk-host", new Dictionary<string, string>
        {
            ["Jwt:SigningKey"] = AppFixture.SigningKey,
            ["Bootstrap:AdminEmail"] = AppFixture.AdminEmail,
            ["Bootstrap:AdminPassword"] = AppFixture.AdminPassword,
            ["Demo:Enabled"] = "false",
            ["Storage:DataDirectory"] = Path.Combine(Path.GetTempPath(), "crowdshield-tests", Guid.NewGuid().ToString("N")),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await node.StartAsync();
        using var api = node.Api();
        var s = await api.ScenarioAsync();
        var context = await app.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = node.BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1920, Height = 1080 },
        });
        await using var _ = context;
        var page = await context.NewPageAsync();
        await BrowserFixture.SignInAsync(page, $"/kiosk/{s.EventId}", s.Users[Roles.Viewer].Email, s.Users[Roles.Viewer].Password);
        await BrowserFixture.ConnectedAsync(page);
        await page.EvaluateAsync("window.beforeTheRestart = true");

        await node.KillAsync();
        await Assertions.Expect(page.Locator("[data-testid=stale-banner]")).ToBeVisibleAsync();
        await node.StartAsync();
        // Raised after the restart: only a page that reloaded (a new circuit) can show it.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 48 }, HttpStatusCode.Accepted);

        await Assertions.Expect(page.Locator("[data-testid=alert-item]")).ToBeVisibleAsync(new() { Timeout = 40_000 });
        Assert.False(await page.EvaluateAsync<bool>("window.beforeTheRestart === true"), "the kiosk showed the alert without reloading");
        await BrowserFixture.ConnectedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=stale-banner]")).ToHaveCountAsync(0);
    }

    private static void Forward(IWebSocketRoute to, IWebSocketFrame frame)
    {
        if (frame.Binary is { } bytes)
        {
            to.Send(bytes);
        }
        else
        {
            to.Send(frame.Text ?? "");
        }
    }
}
