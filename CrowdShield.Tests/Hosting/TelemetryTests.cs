using System.Net;
using System.Net.Http.Json;
using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;
using CrowdShield.Web.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace CrowdShield.Tests.Hosting;

/// <summary>
/// The app as an operations team runs it: an OTLP endpoint configured (nothing listens there), and an in-memory
/// exporter added beside the app's own OpenTelemetry set-up, so what the app registers is what the test reads.
/// </summary>
public sealed class TelemetryAppFixture : AppFixture
{
    public List<MetricSnapshot> Exported { get; } = [];

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [new(TelemetryServiceExtensions.EndpointSetting, "http://127.0.0.1:9")];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureServices(services => services.AddOpenTelemetry().WithMetrics(metrics => metrics.AddInMemoryExporter(Exported)));
    }

    /// <summary>Exports now and returns the points of <paramref name="name"/>.</summary>
    public IReadOnlyList<MetricPoint> Points(string name)
    {
        lock (Exported)
        {
            Exported.Clear();
            Services.GetRequiredService<MeterProvider>().ForceFlush();
            return [.. Exported.Where(m => m.Name == name).SelectMany(m => m.MetricPoints)];
        }
    }
}

/// <summary>
/// Alone, after the parallel tests: the exporter listens to meters by name, as operations set it up, and so hears the
/// instruments of every app host alive in this process; instruments of the same name share one metric stream, which
/// goes with the host that registered it first. Among the parallel tests' hosts a full run read this one's ping counter as 0.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryAppFixture app) : IClassFixture<TelemetryAppFixture>
{
    [Fact]
    public async Task CustomMeters_ReportPingsCommitsFanOutAndAcknowledgements()
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        await using var hub = await HubRecorder.ConnectAsync(app.BaseAddress, s.EventId, s.TokenOf(Roles.Operator));

        await api.JsonAsync(HttpMethod.Post, "/api/v1/pings", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, pings = Enumerable.Range(0, 25).Select(i => new { lat = 51.5 + i * 1e-5, lng = -0.1 }).ToArray() });
        var raised = await api.JsonAsync(HttpMethod.Post, "/api/v1/cctv/objects", s.TokenOf(Roles.Device),
            new { eventId = s.EventId, cameraId = "cam-1", zoneId = "gate-3", count = 60 }, HttpStatusCode.Accepted);
        using var acknowledged = await api.SendAsync(HttpMethod.Post, $"/api/v1/alerts/{raised.GetProperty("alertId").GetString()}/acknowledge",
            s.TokenOf(Roles.Operator));
        Assert.Equal(HttpStatusCode.OK, acknowledged.StatusCode);
        await hub.WaitForAsync(r => r.Count >= 2);

        Assert.True(app.Points("crowdshield.pings.accepted").Sum(p => p.GetSumLong()) >= 25);
        var commits = app.Points("crowdshield.pings.commit.size");
        Assert.True(commits.Sum(p => p.GetHistogramSum()) >= 25);
        Assert.True(commits.Sum(p => p.GetHistogramCount()) >= 1);
        Assert.True(app.Points("crowdshield.pings.commit.duration").Sum(p => p.GetHistogramCount()) >= 1);
        Assert.True(app.Points("crowdshield.alerts.time_to_acknowledge").Sum(p => p.GetHistogramCount()) >= 1);
        Assert.True(app.Points("crowdshield.realtime.feed.lag").Sum(p => p.GetHistogramCount()) >= 2);
        // Recorded once the transport took the message, which can be a moment after the client already has it.
        await Eventually.TrueAsync(() => app.Points("crowdshield.realtime.fanout.duration").Any(p => Kind(p) == "transport" && p.GetHistogramCount() >= 2),
            because: "no fan-out duration recorded for the SignalR transport");
        var depth = app.Points("crowdshield.realtime.queue.depth");
        Assert.Equal(["screen", "transport"], depth.Select(Kind).Order());
        Assert.All(depth, p => Assert.True(p.GetGaugeLastValueLong() >= 0));
    }

    private static string? Kind(MetricPoint point)
    {
        foreach (var tag in point.Tags)
        {
            if (tag.Key == "subscriber.kind")
            {
                return tag.Value as string;
            }
        }
        return null;
    }
}

/// <summary>The app on a PostgreSQL server of its own, which the test can stop as a crashed database machine would.</summary>
public sealed class OwnDatabaseAppFixture : AppFixture
{
    private string _connectionString = "";

    public PostgresServer Database { get; private set; } = default!;

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
    [
        new("Database:Provider", "Postgres"),
        new("ConnectionStrings:CrowdShield", _connectionString),
    ];

    public override async Task InitializeAsync()
    {
        Database = await PostgresServer.StartAsync();
        _connectionString = await Database.CreateDatabaseAsync();
        await base.InitializeAsync();
    }
}

public sealed class ReadinessTests(OwnDatabaseAppFixture app) : IClassFixture<OwnDatabaseAppFixture>
{
    [Fact]
    public async Task Readiness_FailsWhileTheDatabaseIsUnreachable_LivenessDoesNot()
    {
        using var api = app.Api();
        Assert.Equal(HttpStatusCode.OK, (await api.SendAsync(HttpMethod.Get, "/health/ready", null)).StatusCode);

        await app.Database.HaltAsync();
        try
        {
            using var ready = await api.SendAsync(HttpMethod.Get, "/health/ready", null);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
            var report = await ready.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            Assert.Equal("Unhealthy", report.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
            using var live = await api.SendAsync(HttpMethod.Get, "/health/live", null);
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }
        finally
        {
            await app.Database.ResumeAsync();
        }

        await Eventually.TrueAsync(async () => (await api.SendAsync(HttpMethod.Get, "/health/ready", null)).StatusCode == HttpStatusCode.OK,
            TimeSpan.FromSeconds(20));
    }
}
