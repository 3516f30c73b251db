using System.Collections.Concurrent;
using System.Net;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Components.Shared;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Tests.Api;

[Collection(AppCollection.Name)]
public sealed class HostTests(AppFixture app)
{
    [Fact]
    public async Task Health_Answers200_WhenTheDatabaseAnswers()
    {
        using var api = app.Api();

        using var response = await api.SendAsync(HttpMethod.Get, "/health", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task EveryPage_CarriesTheLevelPalette_AsCssVariables_ForTheStyleSheet()
    {
        using var api = app.Api();

        using var response = await api.SendAsync(HttpMethod.Get, "/login", null);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(Levels.Palette, level => Assert.Contains($"--level-{level.Key}:{level.Value};", html));
        // The style sheets (app.css and the components' own) use them; none spells the colours out.
        var web = Path.Combine(Repository.Root, "CrowdShield.Web");
        var css = string.Join('\n', Directory.EnumerateFiles(Path.Combine(web, "Components"), "*.razor.css", SearchOption.AllDirectories)
            .Append(Path.Combine(web, "wwwroot", "app.css")).Select(File.ReadAllText));
        Assert.Contains("var(--level-critical)", css);
        Assert.All(Levels.Palette.Values, colour => Assert.DoesNotContain(colour, css, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OpenApiDocument_DeclaresTheBearerScheme_OnOperationsThatNeedACaller_AndLeavesPagesOut()
    {
        using var api = app.Api();

        var document = await api.JsonAsync(HttpMethod.Get, "/openapi/v1.json", null);

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http", scheme.GetProperty("type").GetString());
        Assert.Equal("bearer", scheme.GetProperty("scheme").GetString());
        var paths = document.GetProperty("paths");
        var listAlerts = paths.GetProperty("/api/v1/alerts").GetProperty("get");
        Assert.Contains(listAlerts.GetProperty("security").EnumerateArray(), r => r.TryGetProperty("Bearer", out _));
        Assert.False(paths.GetProperty("/api/v1/auth/login").GetProperty("post").TryGetProperty("security", out _));
        var names = paths.EnumerateObject().Select(p => p.Name).ToList();
        Assert.DoesNotContain("/account/logout", names);
        Assert.All(names, name => Assert.StartsWith("/api/v1/", name));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesEveryResource()
    {
        using var api = app.Api();

        var document = await api.JsonAsync(HttpMethod.Get, "/openapi/v1.json", null);

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        foreach (var path in new[] { "/api/v1/auth/login", "/api/v1/users", "/api/v1/events", "/api/v1/events/{eventId}/feed", "/api/v1/cctv/objects",
                     "/api/v1/pings", "/api/v1/map", "/api/v1/alerts", "/api/v1/alerts/{id}/resolve", "/api/v1/ai/insights", "/api/v1/ai/predictions",
                     "/api/v1/actions", "/api/v1/reports" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Fact]
    public async Task ApiReferencePage_IsServed()
    {
        using var api = app.Api();

        using var response = await api.SendAsync(HttpMethod.Get, "/api/reference", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownApiPath_Gets404Problem_NotAnHtmlPage()
    {
        using var api = app.Api();

        using var response = await api.SendAsync(HttpMethod.Get, "/api/v1/nothing-here", (await api.ScenarioAsync()).AdminToken);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task QueryStringToken_IsAcceptedOnTheHubOnly()
    {
        using var api = app.Api();
        var token = await api.AdminTokenAsync();

        using var response = await api.SendAsync(HttpMethod.Get, $"/api/v1/auth/me?access_token={token}", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

/// <summary>The app with every log category at Debug, captured, to prove the hub token never reaches a log.</summary>
public sealed class VerboseLoggingFixture : AppFixture
{
    public ConcurrentQueue<string> Lines { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Logging:LogLevel:Default", "Debug");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore", "Debug");
        builder.UseSetting("Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics", "Debug");
        builder.ConfigureServices(services => services.AddSingleton<ILoggerProvider>(new CapturingProvider(Lines)));
    }

    private sealed class CapturingProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Capture(lines, categoryName);

        public void Dispose()
        {
        }

        private sealed class Capture(ConcurrentQueue<string> lines, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                lines.Enqueue($"{category}: {formatter(state, exception)} {exception}");
        }
    }
}

public sealed class TokenLoggingTests(VerboseLoggingFixture app) : IClassFixture<VerboseLoggingFixture>
{
    [Theory]
    [InlineData(HttpTransportType.WebSockets)]
    [InlineData(HttpTransportType.ServerSentEvents)]
    [InlineData(HttpTransportType.LongPolling)]
    public async Task HubToken_InTheQueryString_IsNeverWrittenToALog(HttpTransportType transport)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        var token = s.TokenOf(Roles.Viewer);
        await using (var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, token, transport))
        {
            await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field), new { eventId = s.EventId, message = "m", type = "other" }, HttpStatusCode.Created);
            await hub.WaitForAsync(r => r.Count > 0);
        }
        // What a browser's SignalR client does: the token in the query string, as the .NET client does not.
        using (var negotiate = await api.SendAsync(HttpMethod.Post, $"/hubs/events/negotiate?eventId={s.EventId}&negotiateVersion=1&access_token={token}", null))
        {
            Assert.Equal(HttpStatusCode.OK, negotiate.StatusCode);
        }

        // Debug logging of the hub's requests does run, so the check below is not vacuous.
        Assert.Contains(app.Lines, line => line.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && line.Contains("/hubs/events", StringComparison.Ordinal));
        Assert.DoesNotContain(app.Lines, line => line.Contains(token, StringComparison.Ordinal));
        // Signature alone, in case a logger shortened the token.
        Assert.DoesNotContain(app.Lines, line => line.Contains(token.Split('.')[2], StringComparison.Ordinal));
    }
}
