using System.Globalization;
using CrowdShield.Core.Log;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Components;

namespace CrowdShield.Web.Components.Pages.Log;

/// <summary>
/// The shift log for the next shift and the safety officer: a window in venue time (the last 8 hours to start),
/// filtered by kind, zone and words, with the same selection exported as CSV or PDF.
/// </summary>
public sealed partial class ShiftLogPage
{
    private static readonly TimeSpan DefaultWindow = TimeSpan.FromHours(8);

    private readonly HashSet<string> _kinds = [.. ShiftLogKinds.All];
    private DateTime _from;
    private DateTime _to;
    private string _zoneId = "";
    private string _search = "";
    private ShiftLogData? _data;
    private string? _error;
    private bool _busy;
    private bool _loaded;

    [Inject] public required ShiftLog Log { get; init; }

    protected override string Page => PageAccess.Log;

    private ShiftLogFilter Filter => new(
        _kinds.Count == ShiftLogKinds.All.Count ? null : _kinds, string.IsNullOrEmpty(_zoneId) ? null : _zoneId, string.IsNullOrWhiteSpace(_search) ? null : _search.Trim());

    protected override async Task OnParametersSetAsync()
    {
        await base.OnParametersSetAsync();
        if (EventDefinition is { } definition && !_loaded)
        {
            _loaded = true;
            var now = definition.VenueTime(Time.GetUtcNow()).DateTime;
            (_from, _to) = (Minute(now - DefaultWindow), Minute(now).AddMinutes(1));
            await LoadAsync();
        }
    }

    private static DateTime Minute(DateTime at) => new(at.Year, at.Month, at.Day, at.Hour, at.Minute, 0, DateTimeKind.Unspecified);

    /// <summary>A venue wall-clock time as an instant (the inputs are in venue time, whatever the browser's zone).</summary>
    private DateTimeOffset Instant(DateTime venueTime)
    {
        var zone = EventDefinition!.TimeZone;
        var local = DateTime.SpecifyKind(venueTime, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private async Task LoadAsync()
    {
        if (Caller is null || EventDefinition is null)
        {
            return;
        }
        _busy = true;
        try
        {
            // Kinds, zone and words filter on the page; the window is what is read.
            _data = await Log.ReadAsync(EventId, Instant(_from), Instant(_to), new ShiftLogFilter(), Caller);
            _error = null;
        }
        catch (ValidationException ex)
        {
            _error = string.Join(" ", ex.Errors.ToDictionary().SelectMany(e => e.Value));
        }
        finally
        {
            _busy = false;
        }
    }

    private void Toggle(string kind, bool on)
    {
        if (on)
        {
            _kinds.Add(kind);
        }
        else
        {
            _kinds.Remove(kind);
        }
    }

    private string ExportHref(string format)
    {
        var query = new List<string>
        {
            $"from={Uri.EscapeDataString(Instant(_from).ToString("O", CultureInfo.InvariantCulture))}",
            $"to={Uri.EscapeDataString(Instant(_to).ToString("O", CultureInfo.InvariantCulture))}",
            $"format={format}",
        };
        if (!string.IsNullOrEmpty(_zoneId))
        {
            query.Add($"zoneId={Uri.EscapeDataString(_zoneId)}");
        }
        if (_kinds.Count < ShiftLogKinds.All.Count)
        {
            query.Add($"kind={string.Join(',', _kinds.Order(StringComparer.Ordinal))}");
        }
        return $"/events/{Uri.EscapeDataString(EventId)}/log/export?{string.Join('&', query)}";
    }

    private static string KindLabel(string kind) => kind switch
    {
        ShiftLogKinds.Alert => "Alert",
        ShiftLogKinds.Escalated => "Escalated",
        ShiftLogKinds.Acknowledged => "Acknowledged",
        ShiftLogKinds.Resolved => "Resolved",
        ShiftLogKinds.Comment => "Comment",
        ShiftLogKinds.Action => "Action",
        ShiftLogKinds.Taken => "On it",
        ShiftLogKinds.Report => "Report",
        _ => kind,
    };
}
