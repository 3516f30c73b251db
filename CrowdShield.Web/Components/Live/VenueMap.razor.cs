using CrowdShield.Core.Events;
using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Live;

/// <summary>Configuration section "MapUi": what the browser map draws under the zones.</summary>
public sealed class MapUiOptions
{
    /// <summary>A tile URL template ({z}/{x}/{y}); empty: zones on a plain background, for venues without internet.</summary>
    public string? TileUrl { get; set; }
    public string? TileAttribution { get; set; }
}

/// <summary>
/// The live venue map (Leaflet through wwwroot/js/venueMap.js): zones coloured by density level, a heat layer of
/// live pings, the zone of a new alert highlighted, worse forecasts outlined. Updates are batched: at most two
/// JavaScript calls a second whatever the ping rate.
/// </summary>
public sealed partial class VenueMap
{
    private static readonly IReadOnlySet<string> Shown = new HashSet<string>
    {
        RealtimeEvents.MapUpdate, RealtimeEvents.AlertNew, RealtimeEvents.PredictionUpdate,
    };

    private readonly Dictionary<string, ZoneDensity> _zones = [];
    private readonly Dictionary<string, ZonePrediction> _predictions = [];
    private readonly List<MapPoint> _newPoints = [];
    private readonly HashSet<string> _highlights = [];
    private IReadOnlyList<MapPoint> _initialPoints = [];
    private int _horizon = 15;
    private bool _zonesChanged;
    private Venue? _venue;
    private ElementReference _element;
    private IJSObjectReference? _module;
    private IJSObjectReference? _map;

    [Parameter] public bool Interactive { get; set; } = true;
    [Parameter] public string Height { get; set; } = "520px";

    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required LiveMap LiveMap { get; init; }
    [Inject] public required VenueDirectory Venues { get; init; }
    [Inject] public required Forecaster Forecaster { get; init; }
    [Inject] public required IOptions<MapUiOptions> Ui { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override TimeSpan RenderInterval => TimeSpan.FromMilliseconds(500);

    protected override async Task LoadAsync()
    {
        _venue = await Venues.FindAsync(EventId);
        if (await LiveMap.SnapshotAsync(EventId) is { } snapshot)
        {
            _initialPoints = snapshot.Points;
            SetZones(snapshot.Zones);
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
            case RealtimeEvents.MapUpdate:
                var update = message.Read<MapUpdatePayload>();
                SetZones(update.Zones);
                _newPoints.AddRange(update.Points);
                break;
            case RealtimeEvents.AlertNew:
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
        if (!RendererInfo.IsInteractive || _venue is null)
        {
            return;
        }
        if (_map is null)
        {
            _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/venueMap.js");
            _map = await _module.InvokeAsync<IJSObjectReference>("create", _element, new
            {
                interactive = Interactive,
                tileUrl = string.IsNullOrWhiteSpace(Ui.Value.TileUrl) ? null : Ui.Value.TileUrl,
                tileAttribution = Ui.Value.TileAttribution,
                center = _venue.Center,
                zones = _venue.Zones.Select(ZoneState),
            });
            await _map.InvokeVoidAsync("update", new { points = _initialPoints, replacePoints = true });
            _initialPoints = [];
        }
        if (_zonesChanged || _newPoints.Count > 0 || _highlights.Count > 0)
        {
            var change = new
            {
                zones = _zonesChanged ? _venue.Zones.Select(ZoneState).ToList() : [],
                points = _newPoints.ToList(),
                highlight = _highlights.ToList(),
            };
            _zonesChanged = false;
            _newPoints.Clear();
            _highlights.Clear();
            await _map.InvokeVoidAsync("update", change);
        }
    }

    private object ZoneState(VenueZone zone)
    {
        var now = _zones.GetValueOrDefault(zone.Id);
        var ahead = Forecast(zone.Id);
        return new
        {
            id = zone.Id,
            zoneId = zone.Id,
            name = zone.Name,
            polygon = zone.Polygon,
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
