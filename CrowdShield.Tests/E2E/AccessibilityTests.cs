using System.Net;
using CrowdShield.Core.Map;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Components.Shared;
using Deque.AxeCore.Commons;
using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace CrowdShield.Tests.E2E;

/// <summary>
/// axe-core's WCAG 2.1 A and AA rules on every page people use, with live data on it (an alert, an action, a
/// report): no serious or critical violation. A control room is read from across the room.
/// </summary>
public sealed class AccessibilityTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    private static readonly AxeRunOptions Wcag21 = new()
    {
        RunOnly = new RunOnlyOptions { Type = "tag", Values = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    };

    private static async Task AssertAccessibleAsync(IPage page, string name)
    {
        var result = await page.RunAxe(Wcag21);
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{name}: " + string.Join("\n", serious.Select(v =>
            $"{v.Id} ({v.Impact}, {v.Nodes.Length}): {string.Join("\n   ", v.Nodes.Take(40).Select(n => $"{n.Html} — {string.Join(" ", n.Any.Concat(n.All).Select(c => c.Message))}"))}")));
    }

    [Fact]
    public async Task EveryPage_HasNoSeriousOrCriticalViolations()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 48 }, HttpStatusCode.Accepted);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator),
            new { eventId = s.EventId, command = "dispatch_staff", zoneId = "gate-3", note = "Two stewards" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Queue at the barrier", type = "overcrowding", zoneId = "gate-3" }, HttpStatusCode.Created);

        var (context, page, _) = await app.NewPageAsync(1600, 1000);
        await using var _ = context;
        await page.GotoAsync("/login");
        await AssertAccessibleAsync(page, "sign-in");

        var op = s.Users[Roles.Operator];
        await BrowserFixture.SignInAsync(page, "/", op.Email, op.Password);
        await Assertions.Expect(page.Locator($"a[href*='{s.EventId}']").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "home");

        await page.GotoAsync($"/events/{s.EventId}");
        await BrowserFixture.ConnectedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=alert-item]").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "command center");
        // Levels are told in words too, not by colour alone: the crowded gate's map label says how crowded.
        await Assertions.Expect(page.Locator(".leaflet-tooltip", new() { HasText = "Gate 3" })).ToContainTextAsync("CRITICAL");
        // …beside the colour of the one palette (Levels), which the map's script receives from the server.
        await Assertions.Expect(page.Locator($"[data-testid=map] path.leaflet-interactive[fill='{Levels.Css(DensityBands.Critical)}']")).ToHaveCountAsync(1);
        // An alert is acknowledged and resolved from the keyboard.
        var item = page.Locator("[data-testid=alert-item]").First;
        await item.Locator("[data-testid=alert-acknowledge]").FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(item).ToHaveAttributeAsync("data-status", "acknowledged");
        await item.Locator("[data-testid=alert-resolve]").FocusAsync();
        await page.Keyboard.PressAsync("Space");
        await Assertions.Expect(page.Locator("[data-testid=alert-item]")).ToHaveCountAsync(0);

        await page.GotoAsync($"/events/{s.EventId}/log");
        await Assertions.Expect(page.Locator("[data-testid=log-entry]").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "shift log");

        await page.GotoAsync($"/field/{s.EventId}");
        await BrowserFixture.ConnectedAsync(page);
        await AssertAccessibleAsync(page, "field");

        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-2", zoneId = "stage", count = 90 }, HttpStatusCode.Accepted);
        await page.GotoAsync($"/kiosk/{s.EventId}");
        await BrowserFixture.ConnectedAsync(page);
        await Assertions.Expect(page.Locator("[data-testid=alert-item]").First).ToBeVisibleAsync();
        await AssertAccessibleAsync(page, "kiosk");
    }
}
