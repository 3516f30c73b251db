using CrowdShield.Tests.Infrastructure;
using Microsoft.Playwright;
using R = CrowdShield.Core.Users.Roles;

namespace CrowdShield.Tests.E2E;

/// <summary>Zones drawn in the browser reach every screen.</summary>
public sealed class VenueJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task AnAdmin_DrawsAZoneOnTheMap_SavesIt_AndASecondOperatorSeesItWithoutReloading()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var admin = await api.CreateUserAsync(s.AdminToken, R.Admin);
        var op = s.Users[R.Operator];
        var (operatorContext, operatorPage, operatorErrors) = await app.NewPageAsync();
        await using var _ = operatorContext;
        await BrowserFixture.SignInAsync(operatorPage, $"/events/{s.EventId}", op.Email, op.Password);
        await Assertions.Expect(operatorPage.Locator("[data-testid=connection-status][data-state=connected]")).ToBeVisibleAsync(new() { Timeout = 15000 });
        var (adminContext, page, errors) = await app.NewPageAsync();
        await using var __ = adminContext;
        await BrowserFixture.SignInAsync(page, $"/events/{s.EventId}/zones", admin.Email, admin.Password);
        await Assertions.Expect(page.Locator("[data-testid=page-interactive]")).ToBeAttachedAsync(new() { Timeout = 15000 });

        // Draw with Leaflet-Geoman's polygon tool: three corners, then back on the first to close it.
        await page.Locator(".leaflet-pm-icon-polygon").ClickAsync();
        var box = (await page.Locator("[data-testid=zone-editor-map]").BoundingBoxAsync())!;
        // East of Gate 3, which the map fits in its middle.
        (double X, double Y)[] corners = [(0.86, 0.2), (0.97, 0.2), (0.93, 0.5)];
        foreach (var (x, y) in corners)
        {
            await page.Mouse.ClickAsync((float)(box.X + box.Width * x), (float)(box.Y + box.Height * y));
        }
        await page.Mouse.ClickAsync((float)(box.X + box.Width * corners[0].X), (float)(box.Y + box.Height * corners[0].Y));
        await Assertions.Expect(page.Locator("[data-testid=zone-form]")).ToBeVisibleAsync();
        await page.Locator("input[data-testid=zone-id], [data-testid=zone-id] input").FillAsync("beer-tent");
        await page.Locator("input[data-testid=zone-name], [data-testid=zone-name] input").FillAsync("Beer tent");
        await page.Locator("input[data-testid=zone-name], [data-testid=zone-name] input").PressAsync("Tab");
        await page.Locator("[data-testid=zones-save]").ClickAsync();

        await Assertions.Expect(page.Locator("[data-testid=zone-message]")).ToContainTextAsync("Saved 3 zones");
        await Assertions.Expect(operatorPage.Locator(".legend-zone[data-zone-id=beer-tent]")).ToContainTextAsync("Beer tent", new() { Timeout = 5000 });
        await Assertions.Expect(operatorPage.Locator(".leaflet-tooltip", new() { HasText = "Beer tent" })).ToBeVisibleAsync();
        var definition = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{s.EventId}", s.AdminToken);
        var zone = definition.GetProperty("zones").EnumerateArray().Single(z => z.GetProperty("id").GetString() == "beer-tent");
        Assert.Equal(3, zone.GetProperty("polygon").GetArrayLength());
        Assert.True(zone.GetProperty("areaM2").GetDouble() > 0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "zone-editor.png") });
        Assert.Empty(errors);
        Assert.Empty(operatorErrors);
    }
}
