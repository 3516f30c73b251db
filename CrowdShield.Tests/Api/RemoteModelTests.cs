using CrowdShield.Core.Users;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Api;

/// <summary>The app configured with an outside model service (a fake one on loopback).</summary>
public sealed class RemoteModelFixture : AppFixture
{
    public FakeModelServer Model { get; private set; } = default!;

    public override async Task InitializeAsync()
    {
        Model = await FakeModelServer.StartAsync();
        await base.InitializeAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string>> Settings() =>
        [new("Ai:ServiceUrl", Model.Address.ToString()), new("Ai:Timeout", "00:00:01")];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Model.DisposeAsync();
    }
}

public sealed class RemoteModelTests(RemoteModelFixture app) : IClassFixture<RemoteModelFixture>
{
    [Theory]
    [InlineData(FakeModelServer.Mode.Answer, "remote")]
    [InlineData(FakeModelServer.Mode.Fail, "fallback")]
    [InlineData(FakeModelServer.Mode.Hang, "fallback")]
    public async Task Insight_UsesTheRemoteModel_AndFallsBackWhenItIsDownOrSlow(FakeModelServer.Mode mode, string status)
    {
        using var api = app.Api();
        var s = await api.ScenarioAsync();
        app.Model.Behaviour = mode;
        var started = DateTime.UtcNow;

        var insight = await api.JsonAsync(HttpMethod.Get, $"/api/v1/ai/insights?eventId={s.EventId}", s.TokenOf(Roles.Operator));

        Assert.Equal(status, insight.GetProperty("mlStatus").GetString());
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(5), "a slow model must not hold the operator up");
        if (status == "remote")
        {
            Assert.Equal(77, insight.GetProperty("riskScore").GetInt32());
            Assert.Equal("Remote: open gate 5", insight.GetProperty("recommendation").GetString());
        }
        else
        {
            Assert.DoesNotContain("Remote", insight.GetProperty("recommendation").GetString());
        }
        Assert.NotEmpty(insight.GetProperty("factors").EnumerateArray());
    }
}
