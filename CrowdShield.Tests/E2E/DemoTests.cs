using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Hosting.Demo;
using Microsoft.Playwright;

namespace CrowdShield.Tests.E2E;

/// <summary>The app as a newcomer first runs it: the demo venue, its accounts and the simulator, sped up.</summary>
public sealed class DemoFixture : BrowserFixture
{
    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Demo:Enabled", "true"),
        new("Demo:Tick", "00:00:00.500"),
        new("Demo:SurgeCycle", "00:00:08"),
        new("Demo:ReportEvery", "00:00:03"),
        new("Ai:Interval", "00:00:01"),
    ];
}

public sealed class DemoTests(DemoFixture app) : IClassFixture<DemoFixture>
{
    [Fact]
    public async Task Demo_SeedsAVenue_WithAccountsForEveryRole_AndTheSimulatorBringsItToLife()
    {
        using var api = app.Api();
        foreach (var (email, password, _, role) in DemoUsers.All)
        {
            var token = await api.LoginAsync(email, password);
            var me = await api.JsonAsync(HttpMethod.Get, "/api/v1/auth/me", token);
            Assert.Equal(role, me.GetProperty("role").GetString());
            Assert.Contains(DemoVenue.EventId, me.GetProperty("eventIds").EnumerateArray().Select(e => e.GetString()));
        }
        var operatorToken = await api.LoginAsync(DemoUsers.All[0].Email, DemoUsers.All[0].Password);

        var definition = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{DemoVenue.EventId}", operatorToken);
        Assert.Equal(DemoVenue.Zones.Count, definition.GetProperty("zones").GetArrayLength());
        Assert.All(definition.GetProperty("zones").EnumerateArray(), z => Assert.True(z.GetProperty("polygon").GetArrayLength() >= 4));

        // A surge crosses a threshold every cycle; the first one within seconds here.
        await Eventually.TrueAsync(async () =>
            (await api.JsonAsync(HttpMethod.Get, $"/api/v1/alerts?eventId={DemoVenue.EventId}", operatorToken)).GetArrayLength() > 0,
            TimeSpan.FromSeconds(20), "the demo raised no alert");
        var map = await api.JsonAsync(HttpMethod.Get, $"/api/v1/map?eventId={DemoVenue.EventId}", operatorToken);
        Assert.True(map.GetProperty("points").GetArrayLength() > 100, "simulated phones should be on the map");
        Assert.Equal(DemoUsers.Stewards.Count, map.GetProperty("staff").GetArrayLength());
        var zones = map.GetProperty("zones").EnumerateArray().ToDictionary(z => z.GetProperty("zoneId").GetString()!);
        Assert.Equal("crossings", zones["main-gate"].GetProperty("source").GetString());
        Assert.Equal("camera", zones["food-court"].GetProperty("source").GetString());
        Assert.True(zones["main-gate"].GetProperty("capacity").GetInt32() > 0);
        Assert.Equal(DemoVenue.LicensedCapacity, map.GetProperty("venue").GetProperty("capacity").GetInt32());
        var demo = await api.JsonAsync(HttpMethod.Get, $"/api/v1/events/{DemoVenue.EventId}", operatorToken);
        Assert.Equal(DemoVenue.TimeZone, demo.GetProperty("timeZone").GetString());
        Assert.All(map.GetProperty("zones").EnumerateArray(), z => Assert.True(z.GetProperty("count").GetInt32() > 0));
        var predictions = await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/predictions?eventId={DemoVenue.EventId}", operatorToken);
        Assert.All(predictions.GetProperty("predictions").EnumerateArray(), p => Assert.Equal("weekly", p.GetProperty("basis").GetString()));
    }

    [Fact]
    public async Task Newcomer_SignsInAsTheDemoOperator_AndSeesALivingCommandCenter()
    {
        var (context, page, errors) = await app.NewPageAsync(1600, 1000);
        await using var _ = context;
        var (email, password, _, _) = DemoUsers.All[0];

        await BrowserFixture.SignInAsync(page, $"/events/{DemoVenue.EventId}", email, password);

        await Assertions.Expect(page.Locator("[data-testid=connection-status][data-state=connected]")).ToBeVisibleAsync(new() { Timeout = 15000 });
        await Assertions.Expect(page.Locator("[data-testid=alert-item]").First).ToBeVisibleAsync(new() { Timeout = 20000 });
        await Assertions.Expect(page.Locator("[data-testid=map] path.leaflet-interactive")).ToHaveCountAsync(DemoVenue.Zones.Count);
        // The demo's stewards walk their beats: a layer apart from the crowd, and a panel that says where they are.
        await Assertions.Expect(page.Locator("[data-testid=staff-marker]")).ToHaveCountAsync(DemoUsers.Stewards.Count, new() { Timeout = 10000 });
        await Assertions.Expect(page.Locator("[data-testid=staff-item]")).ToHaveCountAsync(DemoUsers.Stewards.Count);
        // The gates are counted by people counters; the venue's total is held against its licence.
        await Assertions.Expect(page.Locator("[data-testid=zone-occupancy][data-zone-id=main-gate]")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("[data-testid=venue-total]")).ToContainTextAsync($"of {DemoVenue.LicensedCapacity:N0} licensed");
        await Assertions.Expect(page.Locator("[data-testid=report-item]").First).ToBeVisibleAsync(new() { Timeout = 30000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "demo-command-center.png"), FullPage = true });
        Assert.Empty(errors);
    }
}
