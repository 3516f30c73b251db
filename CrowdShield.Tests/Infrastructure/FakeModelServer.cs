using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Tests.Infrastructure;

/// <summary>A stand-in for an outside risk-model service on 127.0.0.1: it answers, fails or hangs, as the test says.</summary>
public sealed class FakeModelServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    public enum Mode { Answer, Fail, Hang }

    public Mode Behaviour { get; set; } = Mode.Answer;

    public int Calls;

    private FakeModelServer(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public static async Task<FakeModelServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeModelServer(app);
        app.MapPost("/risk", async (HttpContext context) =>
        {
            Interlocked.Increment(ref server.Calls);
            switch (server.Behaviour)
            {
                case Mode.Fail:
                    return Results.StatusCode(503);
                case Mode.Hang:
                    await Task.Delay(TimeSpan.FromSeconds(30), context.RequestAborted);
                    return Results.StatusCode(504);
                default:
                    return Results.Json(new { riskScore = 77, recommendation = "Remote: open gate 5", confidence = 0.66 });
            }
        });
        await app.StartAsync();
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
