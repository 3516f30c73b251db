using System.Net;
using System.Net.WebSockets;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Realtime;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace CrowdShield.Tests.Realtime;

/// <summary>The node warms its hub's send path through a WebSocket of its own, which no one else can open or hear.</summary>
[Collection(AppCollection.Name)]
public sealed class SendPathWarmUpTests(AppFixture app)
{
    private SendPathWarmUp WarmUp => app.Services.GetRequiredService<SendPathWarmUp>();

    [Fact]
    public async Task AtStart_TheNodeReceivesEveryWarmUpMessage_OnItsOwnSocket()
    {
        var result = await WarmUp.FirstRun.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(WarmUpOutcome.Warmed, result.Outcome);
        Assert.Equal(SendPathWarmUp.Messages, result.Delivered);
    }

    [Fact]
    public async Task TheWarmUpHub_IsNotThere_WithoutTheRunsKey()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.NotFound, await NegotiateAsync(http, key: null));
        Assert.Equal(HttpStatusCode.NotFound, await NegotiateAsync(http, key: new string('0', 64)));
        await AssertNoWebSocketAsync(key: null);
        await AssertNoWebSocketAsync(key: new string('0', 64));
    }

    [Fact]
    public async Task AWarmUp_ReachesNoSubscriberOfAnEvent_AndAdmitsNoStrangerWhileItRuns()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var subscriber = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        var run = WarmUp.RunAsync(CancellationToken.None);
        var knocks = new List<HttpStatusCode>();
        while (!run.IsCompleted)
        {
            knocks.Add(await NegotiateAsync(http, key: new string('f', 64)));
        }
        var result = await run;

        Assert.Equal(WarmUpOutcome.Warmed, result.Outcome);
        Assert.Equal(SendPathWarmUp.Messages, result.Delivered);
        Assert.All(knocks, status => Assert.Equal(HttpStatusCode.NotFound, status));
        // A report after the run: once it arrives, anything the warm-up had sent to this subscriber would have too.
        await api.JsonAsync(HttpMethod.Post, "/api/v1/reports", s.TokenOf(Roles.Field),
            new { eventId = s.EventId, message = "after the warm-up", type = "other" }, HttpStatusCode.Created);
        await subscriber.WaitForAsync(r => r.Count >= 1);
        var received = Assert.Single(subscriber.Received);
        Assert.Equal(MessageTypes.ReportNew, received.Method);
        Assert.Equal("after the warm-up", received.Payload.GetProperty("message").GetString());
    }

    [Fact]
    public async Task ANodeListeningOnlyOnHttps_SkipsTheWarmUp()
    {
        var server = new AddressesOnly("https://127.0.0.1:5001");
        var warmUp = new SendPathWarmUp(server, app.Services.GetRequiredService<IHubContext<WarmUpHub>>(),
            app.Services.GetRequiredService<IHostApplicationLifetime>(), TimeProvider.System, NullLogger<SendPathWarmUp>.Instance);

        var result = await warmUp.RunAsync(CancellationToken.None);

        Assert.Equal(WarmUpOutcome.Skipped, result.Outcome);
        Assert.Equal(0, result.Delivered);
    }

    private static async Task<HttpStatusCode> NegotiateAsync(HttpClient http, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{SendPathWarmUp.Path}/negotiate?negotiateVersion=1");
        if (key is not null)
        {
            request.Headers.Add(SendPathWarmUp.KeyHeader, key);
        }
        using var response = await http.SendAsync(request);
        return response.StatusCode;
    }

    private async Task AssertNoWebSocketAsync(string? key)
    {
        using var socket = new ClientWebSocket();
        if (key is not null)
        {
            socket.Options.SetRequestHeader(SendPathWarmUp.KeyHeader, key);
        }
        socket.Options.CollectHttpResponseDetails = true;
        var url = new UriBuilder(new Uri(app.BaseAddress, SendPathWarmUp.Path)) { Scheme = "ws" }.Uri;

        await Assert.ThrowsAsync<WebSocketException>(() => socket.ConnectAsync(url, CancellationToken.None));
        Assert.Equal(HttpStatusCode.NotFound, socket.HttpStatusCode);
    }

    /// <summary>A server that reports these addresses and serves nothing.</summary>
    private sealed class AddressesOnly : IServer
    {
        public AddressesOnly(params string[] addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses)
            {
                feature.Addresses.Add(address);
            }
            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken) where TContext : notnull =>
            Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}
