using CrowdShield.Core.Map;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Pages.Field;

/// <summary>Opt-in: while on, the tablet's position goes to the live map as pings (at most one every 10 s).</summary>
public sealed partial class LocationSharing
{
    public const int IntervalMs = 10_000;

    private IJSObjectReference? _module;
    private IJSObjectReference? _watch;
    private DotNetObjectReference<LocationSharing>? _self;
    private bool _sharing;
    private DateTimeOffset? _lastSent;
    private string? _error;

    [Parameter, EditorRequired] public required string EventId { get; set; }
    [Parameter] public TimeZoneInfo TimeZone { get; set; } = TimeZoneInfo.Utc;

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required PingIngest Pings { get; init; }
    [Inject] public required CurrentUser CurrentUser { get; init; }
    [Inject] public required TimeProvider Time { get; init; }

    private async Task ToggleAsync(ChangeEventArgs args)
    {
        _sharing = args.Value is true;
        _error = null;
        if (_sharing)
        {
            try
            {
                _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/geolocation.js");
                _self ??= DotNetObjectReference.Create(this);
                _watch = await _module.InvokeAsync<IJSObjectReference>("watch", _self, IntervalMs);
            }
            catch (JSException)
            {
                // The script could not be fetched on a dropping network: say so rather than pretend to share.
                _sharing = false;
                _error = "Location sharing could not start; the network may be down. Try again.";
            }
        }
        else
        {
            await StopAsync();
        }
    }

    [JSInvokable]
    public async Task OnPosition(double lat, double lng, double accuracy)
    {
        if (!_sharing || !GeoPoint.IsValidLat(lat) || !GeoPoint.IsValidLng(lng))
        {
            return;
        }
        if (await CurrentUser.GetAsync() is not { } caller || !caller.MayReport(EventId))
        {
            // Access ended while sharing: stop, and say why.
            await InvokeAsync(async () =>
            {
                await StopAsync();
                _sharing = false;
                _error = "Location sharing stopped: you may no longer send positions for this event.";
                StateHasChanged();
            });
            return;
        }
        // One device id per staff member: their newer position replaces the older one on the map.
        await Pings.IngestAsync(EventId, caller, [new PingInput(lat, lng, Math.Min(accuracy, 100_000), "tablet", Time.GetUtcNow())]);
        _lastSent = Time.GetUtcNow();
        await InvokeAsync(StateHasChanged);
    }

    [JSInvokable]
    public async Task OnPositionError(string message)
    {
        _error = message;
        await InvokeAsync(StateHasChanged);
    }

    private async Task StopAsync()
    {
        if (_watch is not null)
        {
            await _watch.InvokeVoidAsync("stop");
            await _watch.DisposeAsync();
            _watch = null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync();
            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The tablet is gone; its watch went with it.
        }
        _self?.Dispose();
    }
}
