using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CrowdShield.Core.Diagnostics;

/// <summary>
/// CrowdShield's own instruments, on the meter <see cref="MeterName"/>: what an operations team watches on the day
/// (are pings getting in, is the real-time path keeping up, how fast do operators react). The host exports them
/// with OpenTelemetry when an endpoint is configured; without a listener every call here costs next to nothing.
/// </summary>
public sealed class CrowdShieldMetrics
{
    public const string MeterName = "CrowdShield";

    /// <summary>Spans around the work a request triggers but does not do itself (group commits of pings and messages).</summary>
    public static readonly ActivitySource ActivitySource = new(MeterName);

    private readonly Counter<long> _pingsAccepted;
    private readonly Histogram<int> _commitSize;
    private readonly Histogram<double> _commitDuration;
    private readonly Histogram<double> _fanOutDuration;
    private readonly Histogram<double> _feedLag;
    private readonly UpDownCounter<int> _openCircuits;
    private readonly Histogram<double> _timeToAcknowledge;
    private readonly Counter<long> _modelFallbacks;
    private Func<QueueDepth> _queueDepth = () => default;
    private int _silentCameras;

    public CrowdShieldMetrics(IMeterFactory meterFactory)
    {
        var meter = meterFactory.Create(MeterName);
        _pingsAccepted = meter.CreateCounter<long>("crowdshield.pings.accepted", "{ping}",
            "Location pings stored and acknowledged.");
        _commitSize = meter.CreateHistogram<int>("crowdshield.pings.commit.size", "{ping}",
            "Pings stored by one group commit.");
        _commitDuration = meter.CreateHistogram<double>("crowdshield.pings.commit.duration", "s",
            "How long one group commit of pings took.");
        _fanOutDuration = meter.CreateHistogram<double>("crowdshield.realtime.fanout.duration", "s",
            "From the delivery loop taking a stored message to a subscriber having it (queue wait and hand-over).");
        _feedLag = meter.CreateHistogram<double>("crowdshield.realtime.feed.lag", "s",
            "From a message being stored (on any node) to this node delivering it.");
        meter.CreateObservableGauge("crowdshield.realtime.queue.depth", ObserveQueueDepth, "{message}",
            "Messages waiting in this node's subscriber queues, by subscriber kind.");
        _openCircuits = meter.CreateUpDownCounter<int>("crowdshield.circuits.open", "{circuit}",
            "Open Blazor circuits: dashboards, tablets and wall displays on this node.");
        _timeToAcknowledge = meter.CreateHistogram<double>("crowdshield.alerts.time_to_acknowledge", "s",
            "From an alert being raised to an operator acknowledging it.");
        _modelFallbacks = meter.CreateCounter<long>("crowdshield.model.fallbacks", "{assessment}",
            "Risk assessments that fell back to the built-in model because the remote model failed.");
        meter.CreateObservableGauge("crowdshield.cameras.silent", () => Volatile.Read(ref _silentCameras), "{camera}",
            "Cameras found silent by this node's last check.");
    }

    public void PingsAccepted(int count) => _pingsAccepted.Add(count);

    public void PingsCommitted(int count, TimeSpan took)
    {
        _commitSize.Record(count);
        _commitDuration.Record(took.TotalSeconds);
    }

    public void MessageDelivered(SubscriberKind kind, TimeSpan took) =>
        _fanOutDuration.Record(took.TotalSeconds, new KeyValuePair<string, object?>("subscriber.kind", kind.Name()));

    public void MessageReached(TimeSpan lag) => _feedLag.Record(Math.Max(0, lag.TotalSeconds));

    public void CircuitOpened() => _openCircuits.Add(1);

    public void CircuitClosed() => _openCircuits.Add(-1);

    public void AlertAcknowledged(TimeSpan afterRaised) => _timeToAcknowledge.Record(Math.Max(0, afterRaised.TotalSeconds));

    public void ModelFellBack() => _modelFallbacks.Add(1);

    public void CamerasSilent(int count) => Volatile.Write(ref _silentCameras, count);

    /// <summary>The message bus tells where its queue depths are read from (it is created after this).</summary>
    public void ObserveQueues(Func<QueueDepth> read) => _queueDepth = read;

    private IEnumerable<Measurement<long>> ObserveQueueDepth()
    {
        var depth = _queueDepth();
        yield return new(depth.Transports, new KeyValuePair<string, object?>("subscriber.kind", SubscriberKind.Transport.Name()));
        yield return new(depth.Screens, new KeyValuePair<string, object?>("subscriber.kind", SubscriberKind.Screen.Name()));
    }
}

/// <summary>
/// Who receives real-time messages on a node: transports to other machines (SignalR clients, unbounded queues)
/// and screens rendered in this process (Blazor circuits, bounded queues that can catch up from the feed).
/// </summary>
public enum SubscriberKind
{
    Transport,
    Screen,
}

public readonly record struct QueueDepth(long Transports, long Screens);

internal static class SubscriberKindNames
{
    public static string Name(this SubscriberKind kind) => kind switch
    {
        SubscriberKind.Transport => "transport",
        _ => "screen",
    };
}
