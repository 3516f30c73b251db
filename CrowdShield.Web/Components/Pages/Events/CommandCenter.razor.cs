using CrowdShield.Core.Events;
using CrowdShield.Core.Realtime;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrowdShield.Web.Components.Pages.Events;

/// <summary>
/// The operator's page for one event. Live messages come from the in-process event hub over the circuit;
/// the feed fills in what happened before the page opened, deduplicated by seq.
/// </summary>
public sealed partial class CommandCenter : IDisposable
{
    private const int Keep = 100;

    private readonly List<RealtimeMessage> _messages = [];
    private IDisposable? _subscription;
    private Venue? _venue;
    private bool _notFound;
    private long _lastSeq;

    [Parameter, EditorRequired]
    public required string EventId { get; set; }

    [Inject] public required IEventHub Hub { get; init; }
    [Inject] public required IFeedStore Feed { get; init; }
    [Inject] public required VenueDirectory Venues { get; init; }
    [Inject] public required UserDirectory Users { get; init; }

    [CascadingParameter]
    public required Task<AuthenticationState> AuthenticationState { get; set; }

    private string ConnectionState => RendererInfo.IsInteractive ? "connected" : "reconnecting";

    protected override async Task OnInitializedAsync()
    {
        var caller = await Users.FindAsync((await AuthenticationState).User);
        _venue = caller?.CanSee(EventId) == true ? await Venues.FindAsync(EventId) : null;
        if (_venue is null)
        {
            _notFound = true;
            return;
        }
        if (!RendererInfo.IsInteractive)
        {
            return;
        }
        // Subscribe before reading the feed so nothing falls between the two; duplicates are dropped by seq.
        _subscription = Hub.Subscribe(EventId, message => InvokeAsync(() =>
        {
            Add(message);
            StateHasChanged();
        }));
        var history = await Feed.ReadAsync(EventId, 0, int.MaxValue, CancellationToken.None);
        foreach (var entry in history.TakeLast(Keep))
        {
            Add(new RealtimeMessage(entry.EventId, entry.Seq, entry.Type, entry.At, new RawJson(entry.Payload)));
        }
    }

    private void Add(RealtimeMessage message)
    {
        if (_messages.Any(m => m.Seq == message.Seq))
        {
            return;
        }
        var index = _messages.FindIndex(m => m.Seq < message.Seq);
        _messages.Insert(index < 0 ? _messages.Count : index, message);
        if (_messages.Count > Keep)
        {
            _messages.RemoveAt(_messages.Count - 1);
        }
        _lastSeq = Math.Max(_lastSeq, message.Seq);
    }

    private static string Summary(RealtimeMessage m) => m.Type switch
    {
        RealtimeEvents.AlertNew => $"{m.Data.GetProperty("severity").GetString()}: {m.Data.GetProperty("message").GetString()}",
        RealtimeEvents.AlertUpdated => $"alert {m.Data.GetProperty("status").GetString()}",
        RealtimeEvents.ReportNew => $"{m.Data.GetProperty("type").GetString()}: {m.Data.GetProperty("message").GetString()}",
        RealtimeEvents.ActionCreated => $"{m.Data.GetProperty("command").GetString()} by {m.Data.GetProperty("createdBy").GetString()}",
        RealtimeEvents.InsightUpdate => $"risk {m.Data.GetProperty("riskScore").GetInt32()}: {m.Data.GetProperty("recommendation").GetString()}",
        RealtimeEvents.PredictionUpdate => $"{m.Data.GetProperty("predictions").GetArrayLength()} zone forecasts at +{m.Data.GetProperty("horizonMinutes").GetInt32()} min",
        RealtimeEvents.MapUpdate => $"{m.Data.GetProperty("points").GetArrayLength()} new pings",
        _ => m.Type,
    };

    public void Dispose() => _subscription?.Dispose();
}
