using CrowdShield.Core.Realtime;
using CrowdShield.Core.Reports;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Live;

/// <summary>Incident reports from the field, newest first, with a notification for each new one.</summary>
public sealed partial class ReportsPanel
{
    private const int Keep = 50;
    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.ReportNew };
    private readonly List<ReportNewPayload> _reports = [];

    [Parameter] public bool Notify { get; set; } = true;

    [Inject] public required ReportService Reports { get; init; }
    [Inject] public required ISnackbar Snackbar { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override async Task LoadAsync()
    {
        _reports.Clear();
        _reports.AddRange((await Reports.ListAsync(EventId, Keep)).Select(ReportService.ToPayload));
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        var report = message.Read<ReportNewPayload>();
        if (_reports.Any(r => r.Id == report.Id))
        {
            return;
        }
        _reports.Insert(0, report);
        if (_reports.Count > Keep)
        {
            _reports.RemoveAt(_reports.Count - 1);
        }
        if (live && Notify)
        {
            Snackbar.Add($"New {report.Type.Replace('_', ' ')} report: {report.Message}", report.Type is "medical" or "fire" ? Severity.Error : Severity.Info);
        }
    }


    private static Color TypeColor(string type) => type switch
    {
        "medical" or "fire" => Color.Error,
        "security" or "overcrowding" => Color.Warning,
        "lost_person" => Color.Info,
        _ => Color.Default,
    };
}
