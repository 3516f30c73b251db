using CrowdShield.Core.Events;
using CrowdShield.Core.Reports;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace CrowdShield.Web.Components.Pages.Field;

/// <summary>
/// A one-hand incident report: a type, a message, and where — the tablet's position when the browser gives it,
/// a zone picked from the list when it does not.
/// </summary>
public sealed partial class ReportForm
{
    private IJSObjectReference? _module;
    private Position? _position;
    private string? _locationError;
    private string _type = "other";
    private string _message = "";
    private string _zoneId = "";
    private string? _error;
    private DateTimeOffset? _sentAt;
    private bool _busy;

    [Parameter, EditorRequired] public required EventDefinition EventDefinition { get; set; }
    [Parameter] public EventCallback<Report> OnSent { get; set; }

    [Inject] public required ReportService Reports { get; init; }
    [Inject] public required CurrentUser CurrentUser { get; init; }
    [Inject] public required IJSRuntime JS { get; init; }

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (firstRender && RendererInfo.IsInteractive)
        {
            await LocateAsync();
        }
    }

    private async Task LocateAsync()
    {
        LocationResult result;
        try
        {
            _module ??= await JS.InvokeAsync<IJSObjectReference>("import", "./js/geolocation.js");
            result = await _module.InvokeAsync<LocationResult>("getPosition", 8000);
        }
        catch (JSException)
        {
            // The script could not be fetched on a dropping network: the report can still be sent, without a position.
            result = new LocationResult(null, null, null, "The location could not be read; the network may be down. Try again.");
        }
        if (result.Error is null && result.Lat is { } lat && result.Lng is { } lng)
        {
            _position = new Position(lat, lng, result.Accuracy ?? 0);
        }
        else
        {
            _locationError = result.Error ?? "The location is not available.";
        }
        StateHasChanged();
    }

    private async Task SendAsync()
    {
        var request = new ReportRequest(EventDefinition.Id, _message, _type, _position?.Lat, _position?.Lng, string.IsNullOrEmpty(_zoneId) ? null : _zoneId);
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (!errors.IsValid)
        {
            _error = errors.ToDictionary().ContainsKey("message") ? "Write what is happening." : string.Join(" ", errors.ToDictionary().SelectMany(e => e.Value));
            return;
        }
        if (await CurrentUser.GetAsync() is not { } caller)
        {
            _error = "Your session has ended; sign in again.";
            return;
        }
        _busy = true;
        _error = null;
        try
        {
            var report = await Reports.CreateAsync(request, caller);
            _sentAt = report?.CreatedAt;
            _message = "";
            _type = "other";
            if (report is not null)
            {
                await OnSent.InvokeAsync(report);
            }
        }
        catch (ValidationException ex)
        {
            _error = string.Join(" ", ex.Errors.ToDictionary().SelectMany(e => e.Value));
        }
        catch (ForbiddenException)
        {
            _error = "You may no longer file reports for this event.";
        }
        finally
        {
            _busy = false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_module is not null)
        {
            try
            {
                await _module.DisposeAsync();
            }
            catch (JSDisconnectedException)
            {
                // The tablet is gone.
            }
        }
    }

    private sealed record Position(double Lat, double Lng, double Accuracy);

    private sealed record LocationResult(double? Lat, double? Lng, double? Accuracy, string? Error);
}
