using CrowdShield.Web.Components.Live;
using Microsoft.Extensions.Time.Testing;

namespace CrowdShield.Tests.Components;

public sealed class RenderThrottleTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(500);
    private readonly FakeTimeProvider _time = new();
    private int _renders;

    private RenderThrottle Throttle() => new(Interval, _time, () => { Interlocked.Increment(ref _renders); return Task.CompletedTask; });

    [Fact]
    public void RequestsDuringAnInterval_GiveOneRender_AtItsEnd()
    {
        using var throttle = Throttle();

        throttle.Request();
        _time.Advance(Interval / 2);
        throttle.Request();
        throttle.Request();
        Assert.Equal(0, _renders);

        _time.Advance(Interval / 2);
        Assert.Equal(1, _renders);
        _time.Advance(Interval * 3);
        Assert.Equal(1, _renders);
    }

    [Fact]
    public void ARequestAfterARender_StartsTheNextInterval()
    {
        using var throttle = Throttle();
        throttle.Request();
        _time.Advance(Interval);

        throttle.Request();
        _time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.Equal(1, _renders);
        _time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(2, _renders);
    }

    [Fact]
    public void Disposing_CancelsTheWaitingRender_AndIgnoresLaterRequests()
    {
        var throttle = Throttle();
        throttle.Request();

        throttle.Dispose();
        _time.Advance(Interval * 2);
        throttle.Request();
        _time.Advance(Interval * 2);

        Assert.Equal(0, _renders);
    }
}
