using Microsoft.Playwright;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>The real app plus Debian's Chromium driven by Playwright (Playwright's own browser download does not work here).</summary>
public class BrowserFixture : AppFixture
{
    private IPlaywright? _playwright;

    public IBrowser Browser { get; private set; } = default!;

    /// <summary>Screenshots are kept as test artifacts here (CROWDSHIELD_SCREENSHOTS overrides).</summary>
    public static string ScreenshotDirectory { get; } =
        Environment.GetEnvironmentVariable("CROWDSHIELD_SCREENSHOTS") is { Length: > 0 } dir ? dir : Path.Combine(AppContext.BaseDirectory, "screenshots");

    public override async Task InitializeAsync()
    {
        await base.InitializeAsync();
        Directory.CreateDirectory(ScreenshotDirectory);
        _playwright = await Playwright.CreateAsync();
        Browser = await LaunchChromiumAsync(_playwright);
        // Two cores run the whole suite (apps, node processes, databases, Chromium): an expectation may wait longer
        // than Playwright's 5 s default there. Tests that measure a time bound pass their own timeout.
        Assertions.SetDefaultExpectTimeout(10_000);
    }

    /// <summary>Debian's Chromium, headless, with nothing that would try to reach the internet.</summary>
    public static Task<IBrowser> LaunchChromiumAsync(IPlaywright playwright) => playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
    {
        ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
        Headless = true,
        Args =
        [
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync",
        ],
    });

    /// <summary>A fresh browser context (its own cookies) with a page that records console errors.</summary>
    public Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(int width = 1600, int height = 1000) =>
        NewPageAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = width, Height = height } });

    /// <summary>A field tablet (800 × 1280, touch); given a position, the browser knows it and may tell the page.</summary>
    public Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewTabletAsync(Geolocation? position = null) =>
        NewPageAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = 800, Height = 1280 },
            HasTouch = true,
            Geolocation = position,
            Permissions = position is null ? [] : ["geolocation"],
        });

    private async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> NewPageAsync(BrowserNewContextOptions options)
    {
        options.BaseURL = BaseAddress.ToString();
        var context = await Browser.NewContextAsync(options);
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) =>
        {
            if (message.Type == "error")
            {
                lock (errors)
                {
                    errors.Add(message.Text);
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (errors)
            {
                errors.Add(error);
            }
        };
        return (context, page, errors);
    }

    /// <summary>A fresh page signed in as <paramref name="user"/> on <paramref name="path"/>, its connection established.</summary>
    public async Task<(IBrowserContext Context, IPage Page, List<string> Errors)> OpenAsync(string path, TestUser user, int width = 1600, int height = 1000)
    {
        var (context, page, errors) = await NewPageAsync(width, height);
        await SignInAsync(page, path, user.Email, user.Password);
        // Commit, not load: the connection status below is what says the page works, and "load" can lag on a busy machine.
        await page.WaitForURLAsync(url => url.EndsWith(path, StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        await ConnectedAsync(page);
        return (context, page, errors);
    }

    /// <summary>The page's connection indicator says connected (green).</summary>
    public static Task ConnectedAsync(IPage page, float timeout = 15000) =>
        Assertions.Expect(page.Locator("[data-testid=connection-status][data-state=connected]")).ToBeVisibleAsync(new() { Timeout = timeout });

    public static async Task SignInAsync(IPage page, string path, string email, string password)
    {
        await page.GotoAsync(path);
        await page.WaitForURLAsync(url => url.Contains("/login", StringComparison.Ordinal));
        await page.FillAsync("#email", email);
        await page.FillAsync("#password", password);
        await page.ClickAsync("button[type=submit]");
    }

    public override async ValueTask DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }
        _playwright?.Dispose();
        await base.DisposeAsync();
    }
}
