using CrowdShield.Core.Alerts;
using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using CrowdShield.Web.Components.Shared;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Live;

/// <summary>
/// The live venue map (Leaflet through wwwroot/js/venueMap.js): zones coloured by density level, a heat layer of
/// live pings (from the density grid), the zone of a new alert highlighted, worse forecasts outlined. Updates are
/// batched: at most two JavaScript calls a second, each the size of the venue whatever the ping rate.
/// </summary>
public sealed partial class VenueMap
{
    private static readonly IReadOnlySet<string> Shown = new HashSet<string>
    {
        MessageTypes.MapUpdate, MessageTypes.AlertNew, MessageTypes.PredictionUpdate,
    };

    private readonly Dictionary<string, ZoneDensity> _zones = [];
    private readonly Dictionary<string, ZonePrediction> _predictions = [];
    private readonly HashSet<string> _highlights = [];
    private IReadOnlyList<DensityCell>? _cells;
    private IReadOnlyList<StaffPosition>? _staff;
    private VenueTotal? _venue;
    private bool _venueChanged;
    private int _horizon = 15;
    private bool _zonesChanged;
    private ElementReference _element;
    private IJSObjectReference? _module;
    private IJSObjectReference? _map;
    private Task<IJSObjectReference>? _creating;

    [Parameter] public bool Interactive { get; set; } = true;
    [Parameter] public string Height { get; set; } = "520px";

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required LiveMap LiveMap { get; init; }
    [Inject] public required Forecaster Forecaster { get; init; }
    [Inject] public required IOptions<MapUiOptions> Ui { get; init; }
    [Inject] public required ILogger<VenueMap> Logger { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override TimeSpan RenderInterval => TimeSpan.FromMilliseconds(500);

    protected override async Task LoadAsync()
    {
        if (await LiveMap.DensityAsync(EventId) is { } picture)
        {
            _cells = picture.Density;
            _staff = picture.Staff;
            _venue = picture.Venue;
            SetZones(picture.Zones);
        }
        if (await Forecaster.PredictAsync(EventId, 15) is { } set)
        {
            SetPredictions(set.HorizonMinutes, set.Predictions);
        }
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        switch (message.Type)
        {
            case MessageTypes.MapUpdate:
                var update = message.Read<MapUpdatePayload>();
                SetZones(update.Zones);
                _staff = update.Staff;
                _venue = update.Venue;
                // The heat layer is drawn from the density grid, which counts every live ping and stays the size
                // of the venue, not from the points, which a busy second can bring by the thousand.
                _cells = update.Density;
                break;
            case MessageTypes.AlertNew:
                if (live && message.Read<AlertNewPayload>().ZoneId is { } zoneId)
                {
                    _highlights.Add(zoneId);
                }
                break;
            default:
                var predictions = message.Read<PredictionUpdatePayload>();
                SetPredictions(predictions.HorizonMinutes, predictions.Predictions);
                break;
        }
    }

    /// <summary>The staff layer's stewards, for the panel beside the map.</summary>
    [Parameter] public EventCallback<IReadOnlyList<StaffPosition>> StaffChanged { get; set; }

    protected override void OnVenueChanged()
    {
        // Zones drawn, reshaped, renamed or deleted elsewhere: redraw them all, drop state of zones that are gone.
        foreach (var gone in _zones.Keys.Where(id => Definition?.FindZone(id) is null).ToList())
        {
            _zones.Remove(gone);
        }
        _venueChanged = true;
        _zonesChanged = true;
    }

    private void SetZones(IEnumerable<ZoneDensity> zones)
    {
        foreach (var zone in zones)
        {
            _zones[zone.ZoneId] = zone;
        }
        _zonesChanged = true;
    }

    private void SetPredictions(int horizon, IEnumerable<ZonePrediction> predictions)
    {
        _horizon = horizon;
        foreach (var prediction in predictions)
        {
            _predictions[prediction.ZoneId] = prediction;
        }
        _zonesChanged = true;
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!RendererInfo.IsInteractive || Definition is null)
        {
            return;
        }
        try
        {
            // Renders can come faster than the map is built (Leaflet loads on first use): build it once.
            _map ??= await (_creating ??= CreateAsync(Definition));
            if (_zonesChanged || _cells is not null || _highlights.Count > 0 || _staff is not null)
            {
                var zones = Definition.Zones.Select(ZoneState).ToList();
                var change = new
                {
                    replaceZones = _venueChanged ? zones : null,
                    zones = _zonesChanged ? zones : [],
                    cells = _cells,
                    staff = _staff,
                    highlight = _highlights.ToList(),
                };
                await _map.InvokeVoidAsync("update", change);
                if (_staff is not null && StaffChanged.HasDelegate)
                {
                    await StaffChanged.InvokeAsync(_staff);
                }
                _zonesChanged = _venueChanged = false;
                _cells = null;
                _staff = null;
                _highlights.Clear();
            }
        }
        catch (Exception ex) when (ex is JSDisconnectedException or TaskCanceledException or OperationCanceledException)
        {
            // The connection dropped mid-call. Nothing is lost: the next render after reconnecting builds or
            // updates the map with the latest state.
            _creating = _map is null ? null : _creating;
        }
        catch (JSException ex)
        {
            // A drawing error in the browser must not end the operator's circuit (every widget on the page with
            // it): the next update redraws from the full state.
            // A failed build (its script could not be fetched on a flaky network) is tried again, not kept.
            Logger.LogWarning(ex, "The venue map of event {EventId} failed to draw an update", EventId);
            _zonesChanged = true;
            _creating = _map is null ? null : _creating;
        }
    }

    private async Task<IJSObjectReference> CreateAsync(EventDefinition definition)
    {
        _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/venueMap.js");
        var map = await _module.InvokeAsync<IJSObjectReference>("create", _element, new
        {
            interactive = Interactive,
            tileUrl = string.IsNullOrWhiteSpace(Ui.Value.TileUrl) ? null : Ui.Value.TileUrl,
            tileAttribution = Ui.Value.TileAttribution,
            plan = Ui.Value.Plans.TryGetValue(definition.Id, out var plan) && plan.ImageUrl.Length > 0 ? plan : null,
            center = definition.Center,
            zones = definition.Zones.Select(ZoneState),
            staff = _staff,
            levelColours = Levels.Palette,
        });
        // Send the state once more after building: changes that arrived while Leaflet loaded are in it.
        _zonesChanged = true;
        return map;
    }

    private object ZoneState(ZoneDefinition zone)
    {
        var now = _zones.GetValueOrDefault(zone.Id);
        var ahead = Forecast(zone.Id);
        return new
        {
            id = zone.Id,
            name = zone.Name,
            polygon = zone.Polygon,
            areaM2 = zone.AreaM2,
            count = now?.Count ?? 0,
            density = now?.Density,
            level = now?.Level ?? DensityBands.Low,
            predictedCount = ahead?.PredictedCount,
            predictedLevel = ahead?.Level,
            horizonMinutes = _horizon,
        };
    }

    /// <summary>A forecast worth showing: one that rests on a trend or a weekly pattern, not just the count of its time.</summary>
    private ZonePrediction? Forecast(string zoneId) =>
        _predictions.GetValueOrDefault(zoneId) is { Basis: not "current" } prediction ? prediction : null;

    protected override async ValueTask OnDisposeAsync()
    {
        try
        {
            if (_map is not null)
            {
                await _map.InvokeVoidAsync("dispose");
                await _map.DisposeAsync();
            }
            if (_module is not null)
            {
                await _module.DisposeAsync();
            }
        }
        catch (JSDisconnectedException)
        {
            // The browser is gone; there is nothing left to clean up on its side.
        }
    }
}
