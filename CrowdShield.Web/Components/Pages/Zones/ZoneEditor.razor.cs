using System.Text.Json;
using CrowdShield.Core.Events;
using CrowdShield.Core.Map;
using CrowdShield.Core.Validation;
using CrowdShield.Core.Zones;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Components.Live;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.Options;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Pages.Zones;

/// <summary>
/// Draw, reshape and delete an event's zones on its map and set their fields; import and export GeoJSON. The page
/// keeps a working copy; Save replaces the event's zones at once (EventService.ReplaceZonesAsync), which every
/// screen receives as venue:updated.
/// </summary>
public sealed partial class ZoneEditor : IAsyncDisposable
{
    private const long MaxImportBytes = 5_000_000;

    private readonly List<EditableZone> _zones = [];
    private EditableZone? _selected;
    private ElementReference _element;
    private IJSObjectReference? _module;
    private IJSObjectReference? _map;
    private DotNetObjectReference<ZoneEditor>? _self;
    private IReadOnlyDictionary<string, string[]> _errors = new Dictionary<string, string[]>();
    private string? _message;
    private bool _messageIsError;
    private bool _busy;

    [Inject] public required EventService EventService { get; init; }
    [Inject] public required CurrentUser CurrentUser { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }
    [Inject] public required IOptions<MapUiOptions> Ui { get; init; }

    protected override string Page => PageAccess.Zones;

    protected override async Task OnParametersSetAsync()
    {
        await base.OnParametersSetAsync();
        if (!NotFound && _zones.Count == 0)
        {
            await LoadZonesAsync();
        }
    }

    private async Task LoadZonesAsync()
    {
        _zones.Clear();
        if (Caller is not null && await EventService.GetAsync(EventId, Caller) is { } found)
        {
            _zones.AddRange(found.Zones.OrderBy(z => z.Id, StringComparer.Ordinal).Select(EditableZone.Of));
        }
        _selected = null;
        _errors = new Dictionary<string, string[]>();
    }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (!RendererInfo.IsInteractive || NotFound || AccessLost || _map is not null)
        {
            return;
        }
        _module = await JS.InvokeAsync<IJSObjectReference>("import", "./js/zoneEditor.js");
        _self = DotNetObjectReference.Create(this);
        _map = await _module.InvokeAsync<IJSObjectReference>("create", _element, new
        {
            center = EventDefinition!.Center,
            zones = MapZones(),
            tileUrl = string.IsNullOrWhiteSpace(Ui.Value.TileUrl) ? null : Ui.Value.TileUrl,
            tileAttribution = Ui.Value.TileAttribution,
            plan = Ui.Value.Plans.TryGetValue(EventId, out var plan) && plan.ImageUrl.Length > 0 ? plan : null,
        }, _self);
    }

    private object[] MapZones() => [.. _zones.Select(z => new { id = z.Key, name = z.Name, polygon = z.Polygon })];

    [JSInvokable]
    public Task OnDrawn(string key, GeoPoint[] ring) => InvokeAsync(async () =>
    {
        var zone = new EditableZone { Key = key, IsNew = true, Polygon = [.. ring], AlertThreshold = Core.Zones.Zone.DefaultAlertThreshold };
        _zones.Add(zone);
        await SelectAsync(zone);
    });

    [JSInvokable]
    public Task OnReshaped(string key, GeoPoint[] ring) => InvokeAsync(() =>
    {
        if (_zones.FirstOrDefault(z => z.Key == key) is { } zone)
        {
            zone.Polygon = [.. ring];
            StateHasChanged();
        }
    });

    [JSInvokable]
    public Task OnRemoved(string key) => InvokeAsync(() =>
    {
        _zones.RemoveAll(z => z.Key == key);
        if (_selected?.Key == key)
        {
            _selected = null;
        }
        StateHasChanged();
    });

    [JSInvokable]
    public Task OnSelected(string key) => InvokeAsync(async () =>
    {
        if (_zones.FirstOrDefault(z => z.Key == key) is { } zone)
        {
            await SelectAsync(zone);
        }
    });

    private Task Select(EditableZone zone) => SelectAsync(zone);

    private async Task SelectAsync(EditableZone zone)
    {
        _selected = zone;
        StateHasChanged();
        if (_map is not null)
        {
            await _map.InvokeVoidAsync("select", zone.Key);
        }
    }

    private async Task Rename(EditableZone zone, string name)
    {
        zone.Name = name;
        if (_map is not null)
        {
            await _map.InvokeVoidAsync("rename", zone.Key, name);
        }
    }

    private async Task SaveAsync()
    {
        if (await CurrentUser.GetAsync() is not { } caller)
        {
            Show("Your session has ended; sign in again.", error: true);
            return;
        }
        var requests = _zones.Select(z => z.ToRequest()).ToList();
        var errors = new ValidationErrors();
        EventRequest.ValidateZones(errors, "zones", requests);
        _errors = errors.ToDictionary().ToDictionary(e => e.Key, e => e.Value);
        if (!errors.IsValid)
        {
            var first = _zones[IndexOf(_errors.Keys.First())];
            await SelectAsync(first);
            Show($"Check the zone '{(string.IsNullOrWhiteSpace(first.Name) ? "(unnamed)" : first.Name)}': {_errors.Values.First()[0]}", error: true);
            return;
        }
        _busy = true;
        try
        {
            await EventService.ReplaceZonesAsync(EventId, requests, caller);
            await ReloadAsync();
            Show($"Saved {requests.Count} zones; every screen shows them now.");
        }
        catch (Core.Users.ForbiddenException)
        {
            Show("Only an admin may change zones.", error: true);
        }
        finally
        {
            _busy = false;
        }
    }

    private async Task ReloadAsync()
    {
        await LoadZonesAsync();
        _message = null;
        if (_map is not null)
        {
            await _map.InvokeVoidAsync("setZones", (object)MapZones());
        }
    }

    private async Task ExportAsync()
    {
        var snapshot = new Core.Events.Event
        {
            Id = EventId, Name = EventDefinition!.Name, CenterLat = EventDefinition.Center.Lat, CenterLng = EventDefinition.Center.Lng, CreatedAt = default,
            Zones = [.. _zones.Select(z => new Core.Zones.Zone
            {
                Id = z.IsNew ? z.Id ?? z.Key : z.Key, EventId = EventId, Name = z.Name ?? "", Polygon = [.. z.Polygon], AreaM2 = z.AreaM2,
                Capacity = z.Capacity, AlertThreshold = z.AlertThreshold, GateWidthM = z.GateWidthM,
            })],
        };
        await _module!.InvokeVoidAsync("download", $"zones-{EventId}.geojson", ZoneGeoJson.Write(snapshot).ToJsonString(), "application/geo+json");
    }

    private async Task ImportAsync(InputFileChangeEventArgs e)
    {
        try
        {
            await using var stream = e.File.OpenReadStream(MaxImportBytes);
            using var document = await JsonDocument.ParseAsync(stream);
            var errors = new ValidationErrors();
            var imported = ZoneGeoJson.Read(document.RootElement, errors);
            if (!errors.IsValid)
            {
                var (field, messages) = errors.ToDictionary().First();
                Show($"The file has problems, nothing was imported: {messages[0]} ({field})", error: true);
                return;
            }
            _zones.Clear();
            _zones.AddRange(imported.Select((z, i) => EditableZone.Of(z, i)));
            _selected = null;
            await _map!.InvokeVoidAsync("setZones", (object)MapZones());
            Show($"Imported {imported.Count} zones; check them and save.");
        }
        catch (Exception ex) when (ex is JsonException or IOException)
        {
            Show($"That is not a GeoJSON file CrowdShield can read ({ex.Message}).", error: true);
        }
    }

    private int IndexOf(string field) => int.Parse(field["zones[".Length..field.IndexOf(']', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);

    private bool HasError(EditableZone zone, string field) => ErrorOf(zone, field) is not null;

    private string? ErrorOf(EditableZone zone, string field)
    {
        var prefix = $"zones[{_zones.IndexOf(zone)}].{field}";
        return _errors.Where(e => e.Key == prefix || e.Key.StartsWith(prefix + "[", StringComparison.Ordinal)).SelectMany(e => e.Value).FirstOrDefault();
    }

    private void Show(string message, bool error = false) => (_message, _messageIsError) = (message, error);

    public async ValueTask DisposeAsync()
    {
        Dispose();
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
            // The browser is gone.
        }
        _self?.Dispose();
    }

    /// <summary>A zone being edited: <see cref="Key"/> is its id, or the editor's name for a zone drawn here and not saved yet.</summary>
    private sealed class EditableZone
    {
        public required string Key { get; init; }
        public bool IsNew { get; init; }
        public string? Id { get; set; }
        public string? Name { get; set; }
        public int AlertThreshold { get; set; }
        public int? Capacity { get; set; }
        public double? GateWidthM { get; set; }
        public double? AreaM2 { get; set; }
        public List<GeoPoint> Polygon { get; set; } = [];

        public static EditableZone Of(Core.Zones.Zone z) => new()
        {
            Key = z.Id, Id = z.Id, Name = z.Name, AlertThreshold = z.AlertThreshold, Capacity = z.Capacity, GateWidthM = z.GateWidthM, Polygon = [.. z.Polygon],
        };

        public static EditableZone Of(ZoneRequest z, int index) => new()
        {
            Key = z.Id ?? $"imported-{index + 1}", IsNew = z.Id is null, Id = z.Id, Name = z.Name, AlertThreshold = z.AlertThreshold ?? Core.Zones.Zone.DefaultAlertThreshold,
            Capacity = z.Capacity, GateWidthM = z.GateWidthM, AreaM2 = z.AreaM2,
            Polygon = z.Polygon is null ? [] : [.. z.Points()],
        };

        /// <summary>The area follows the outline (the service derives it), so a reshaped zone's density stays right.</summary>
        public ZoneRequest ToRequest() => new(IsNew ? (string.IsNullOrWhiteSpace(Id) ? null : Id.Trim()) : Key, Name,
            Polygon.Count == 0 ? null : [.. Polygon.Select(p => new LatLng(p.Lat, p.Lng))], Polygon.Count >= 3 ? null : AreaM2, Capacity, AlertThreshold, GateWidthM);
    }
}
