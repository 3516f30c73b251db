using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Core.Users;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrowdShield.Web.Components.Live;

/// <summary>
/// A widget that shows live data of one event. It loads its state, then follows the event's messages from
/// the message bus over the circuit: in seq order, catching up from the feed when it sees a gap (its
/// queue dropped messages, or it was slow), ignoring what its loaded state already holds, and rendering at
/// most once per <see cref="RenderInterval"/>. The subscription ends with the component.
/// </summary>
public abstract class LiveComponentBase : ComponentBase, IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private IDisposable? _subscription;
    private RenderThrottle? _throttle;
    private bool _disposed;
    private long _lastSeq;

    /// <summary>
    /// The event followed, for the widget's whole life: pages key their widgets by the event (<c>@key="EventId"</c>),
    /// so going to another event builds new widgets rather than re-pointing these.
    /// </summary>
    [Parameter, EditorRequired]
    public required string EventId { get; set; }

    [Inject] public required IMessageBus Bus { get; init; }
    [Inject] public required EventDirectory Events { get; init; }
    [Inject] public required IFeedStore Feed { get; init; }
    [Inject] public required UserDirectory Users { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    [CascadingParameter]
    public Task<AuthenticationState>? AuthenticationState { get; set; }

    /// <summary>The message types this widget shows; it still follows every seq to notice gaps.</summary>
    protected abstract IReadOnlySet<string> Types { get; }

    /// <summary>At most one render per interval: the map and charts, which can get a message a second per event.</summary>
    protected virtual TimeSpan RenderInterval => TimeSpan.Zero;

    /// <summary>When this widget last received a message it shows (for the "live" flash).</summary>
    protected DateTimeOffset? LastReceivedAt { get; private set; }

    /// <summary>The event as it is now: loaded with the widget, replaced by every <c>venue:updated</c> (zones drawn, renamed, deleted).</summary>
    protected EventDefinition? Definition { get; private set; }

    /// <summary>A zone's name for display; the id when the zone is gone.</summary>
    protected string ZoneName(string? zoneId) => zoneId is null ? "" : Definition?.FindZone(zoneId)?.Name ?? zoneId;

    /// <summary>Called after a <c>venue:updated</c> replaced <see cref="Definition"/>: redraw what depends on the zones.</summary>
    protected virtual void OnVenueChanged()
    {
    }

    /// <summary>Loads the current state from the services (the feed has everything up to the seq read just before).</summary>
    protected abstract Task LoadAsync();

    /// <summary>Applies one message to the state. Must be idempotent: a message may describe a change the load already saw.</summary>
    protected abstract void Apply(RealtimeMessage message, bool live);

    protected override async Task OnInitializedAsync()
    {
        Definition = await Events.FindAsync(EventId);
        if (!RendererInfo.IsInteractive)
        {
            // Prerendering: the state as HTML for the first paint; the interactive render follows the stream.
            await LoadAsync();
            return;
        }
        await _gate.WaitAsync();
        try
        {
            _subscription = Bus.Subscribe(EventId, message => InvokeAsync(() => OnMessageAsync(message)));
            _lastSeq = await Feed.GetLastSeqAsync(EventId, CancellationToken.None);
            await LoadAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task OnMessageAsync(RealtimeMessage message)
    {
        await _gate.WaitAsync();
        try
        {
            if (_disposed || message.Seq <= _lastSeq)
            {
                return;
            }
            // Every widget follows every seq, but renders only for what it shows: a dashboard holds eight widgets, and
            // re-rendering all of them for each message sent eight render batches over the circuit where one or two
            // changed anything (docs/benchmarks.md, "Operator dashboards without a browser").
            var changed = false;
            if (message.Seq > _lastSeq + 1)
            {
                await CatchUpAsync(message.Seq - 1);
                changed = true;
            }
            changed |= Handle(message, live: true);
            if (changed)
            {
                ScheduleRender();
            }
        }
        catch (Exception ex)
        {
            await DispatchExceptionAsync(ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Reads what this widget missed from the feed, oldest first.</summary>
    private async Task CatchUpAsync(long upTo)
    {
        while (_lastSeq < upTo)
        {
            var page = await Feed.ReadAsync(EventId, _lastSeq, (int)Math.Min(500, upTo - _lastSeq), CancellationToken.None);
            if (page.Count == 0)
            {
                // Purged from the feed: nothing more to replay, reload instead.
                await LoadAsync();
                _lastSeq = upTo;
                return;
            }
            foreach (var entry in page)
            {
                Handle(new RealtimeMessage(entry.EventId, entry.Seq, entry.Type, entry.At, new RawJson(entry.Payload)), live: false);
            }
        }
    }

    /// <summary>Applies a message; true when it changed what this widget shows (one of its types, or the zones).</summary>
    private bool Handle(RealtimeMessage message, bool live)
    {
        _lastSeq = message.Seq;
        var changed = false;
        if (message.Type == MessageTypes.VenueUpdated && Definition is { } definition)
        {
            Definition = message.Read<VenueUpdatedPayload>().ApplyTo(definition);
            OnVenueChanged();
            changed = true;
        }
        if (Types.Contains(message.Type))
        {
            Apply(message, live);
            LastReceivedAt = message.At;
            changed = true;
        }
        return changed;
    }

    private void ScheduleRender()
    {
        if (RenderInterval <= TimeSpan.Zero)
        {
            StateHasChanged();
            return;
        }
        _throttle ??= new RenderThrottle(RenderInterval, Time, () => InvokeAsync(() =>
        {
            if (!_disposed)
            {
                StateHasChanged();
            }
        }));
        _throttle.Request();
    }

    /// <summary>The signed-in user, for actions taken from this widget.</summary>
    protected async Task<Caller?> CallerAsync() =>
        AuthenticationState is null ? null : await Users.FindAsync((await AuthenticationState).User);

    public async ValueTask DisposeAsync()
    {
        _disposed = true;
        _subscription?.Dispose();
        _throttle?.Dispose();
        await OnDisposeAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases what a widget holds besides its subscription (a JavaScript map).</summary>
    protected virtual ValueTask OnDisposeAsync() => ValueTask.CompletedTask;
}
