using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CrowdShield.Tests.Infrastructure;

public sealed record Delivery(string Path, string Body, IReadOnlyDictionary<string, string> Headers, int Answered)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
}

/// <summary>
/// An outside receiver on 127.0.0.1 (an incident system's webhook, a push service): it records every POST with its
/// headers and answers 200, a queued failure, or hangs on /hang until the request is abandoned.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Delivery> _deliveries = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<int>> _failures = new(StringComparer.Ordinal);
    public int HangingRequests;

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    public string Url(string path) => new Uri(Address, path).ToString();

    public IReadOnlyList<Delivery> Deliveries => [.. _deliveries];

    /// <summary>
    /// The next <paramref name="count"/> requests to /hook… about event <paramref name="eventId"/> are answered with
    /// <paramref name="status"/>. Per event: deliveries of other tests' events (escalations, retries) arrive at any time.
    /// </summary>
    public void FailNext(string eventId, int count, int status = 500)
    {
        var queue = _failures.GetOrAdd(eventId, _ => new ConcurrentQueue<int>());
        for (var i = 0; i < count; i++)
        {
            queue.Enqueue(status);
        }
    }

    private bool TakeFailure(string body, out int status)
    {
        status = 0;
        try
        {
            return JsonDocument.Parse(body).RootElement.TryGetProperty("eventId", out var eventId)
                && eventId.GetString() is { } id && _failures.TryGetValue(id, out var queue) && queue.TryDequeue(out status);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hang", async (HttpContext context) =>
        {
            Interlocked.Increment(ref receiver.HangingRequests);
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted);
            return Results.Ok();
        });
        app.MapPost("/{**path}", async (HttpContext context, string path) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var status = path.StartsWith("hook", StringComparison.Ordinal) && receiver.TakeFailure(body, out var failure) ? failure : 201;
            receiver._deliveries.Enqueue(new Delivery("/" + path, body,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), status));
            return Results.StatusCode(status);
        });
        await app.StartAsync();
        return receiver;
    }

    /// <summary>Waits until the deliveries satisfy <paramref name="condition"/>, and returns them.</summary>
    public async Task<IReadOnlyList<Delivery>> WaitForAsync(Func<IReadOnlyList<Delivery>, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        while (DateTime.UtcNow < deadline)
        {
            var now = Deliveries;
            if (condition(now))
            {
                return now;
            }
            await Task.Delay(50);
        }
        Assert.Fail($"The receiver did not get what was expected; it has {Deliveries.Count} deliveries: "
            + string.Join("; ", Deliveries.Select(d => $"{d.Path} {d.Answered} {d.Body[..Math.Min(120, d.Body.Length)]}")));
        return [];
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
