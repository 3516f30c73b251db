using System.Net;
using System.Text.RegularExpressions;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using Microsoft.Playwright;

namespace CrowdShield.Tests.E2E;

public sealed partial class CommandCenterJourneyTests(BrowserFixture app) : IClassFixture<BrowserFixture>
{
    [Fact]
    public async Task Operator_SignsIn_SeesTheEvent_AndLiveMessagesArrive()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var op = s.Users[Roles.Operator];
        var (context, page, errors) = await app.NewPageAsync();
        await using var _ = context;

        await BrowserFixture.SignInAsync(page, "/", op.Email, op.Password);
        await page.WaitForSelectorAsync("[data-testid=event-card]");
        await page.ClickAsync("text=Command center");
        await page.WaitForSelectorAsync("[data-testid=connection-status][data-state=connected]");
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "Person fainted at the bar", type = "medical" }, HttpStatusCode.Created);
        await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 48 }, HttpStatusCode.Accepted);

        var item = page.Locator("[data-testid=feed-item]", new() { HasText = "Person fainted at the bar" });
        await Assertions.Expect(item).ToBeVisibleAsync(new() { Timeout = 3000 });
        await Assertions.Expect(page.Locator("[data-testid=feed-item]", new() { HasText = "over the threshold" })).ToBeVisibleAsync(new() { Timeout = 3000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "command-center.png"), FullPage = true });
        Assert.Empty(errors);
    }

    [Fact]
    public async Task CommandCenter_CatchesUpOnWhatHappenedBeforeItOpened()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await api.JsonAsync(HttpMethod.Post, "/api/v1/actions", s.TokenOf(Roles.Operator),
            new { eventId = s.EventId, command = "Open gate 3" }, HttpStatusCode.Created);
        var (context, page, errors) = await app.NewPageAsync();
        await using var _ = context;

        await BrowserFixture.SignInAsync(page, $"/events/{s.EventId}", AppFixture.AdminEmail, AppFixture.AdminPassword);

        await Assertions.Expect(page.Locator("[data-testid=feed-item]", new() { HasText = "Open gate 3" })).ToBeVisibleAsync(new() { Timeout = 5000 });
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
        Assert.Equal(0, await page.Locator("[data-testid=feed-item]").CountAsync());
    }

    [Fact]
    public async Task WrongPassword_StaysOnTheLoginPage_WithAnError()
    {
        var (context, page, errors) = await app.NewPageAsync();
        await using var _ = context;

        await BrowserFixture.SignInAsync(page, "/", AppFixture.AdminEmail, "wrong-password");

        await Assertions.Expect(page.Locator("[data-testid=login-error]")).ToBeVisibleAsync();
        Assert.Matches(LoginUrl(), page.Url);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "login.png") });
        Assert.Empty(errors);
    }

    [GeneratedRegex("/login")]
    private static partial Regex LoginUrl();
}
