using CrowdShield.Core.Intelligence;
using CrowdShield.Core.Map;
using CrowdShield.Core.Realtime;
using Microsoft.AspNetCore.Components;
using MudBlazor;

namespace CrowdShield.Web.Components.Live;

/// <summary>Zone counts over the last half hour: loaded from the camera history, extended by each map:update.</summary>
public sealed partial class ZoneChart
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(30);
    private static readonly IReadOnlySet<string> Shown = new HashSet<string> { MessageTypes.MapUpdate };

    private readonly Dictionary<string, List<(DateTime At, double Count)>> _points = [];
    private readonly TimeSeriesChartOptions _options = new()
    {
        TimeLabelSpacing = TimeSpan.FromMinutes(5),
        TimeLabelFormat = "HH:mm",
        YAxisRequireZeroPoint = true,
        ShowLegend = true,
    };
    private List<ChartSeries<double>> _series = [];

    [Inject] public required ZoneHistory History { get; init; }

    protected override IReadOnlySet<string> Types => Shown;

    protected override TimeSpan RenderInterval => TimeSpan.FromSeconds(2);

    protected override async Task LoadAsync()
    {
        var now = Time.GetUtcNow();
        var history = await History.RecentAsync(EventId, now - Window, CancellationToken.None);
        _points.Clear();
        foreach (var (zoneId, points) in history)
        {
            // One point per step: the chart is for the shape of the evening, not every reading.
            _points[zoneId] = [.. points.GroupBy(p => p.At.ToUnixTimeSeconds() / (long)Step.TotalSeconds)
                .Select(g => (VenueClock(g.Last().At), g.Last().Count))];
        }
        Rebuild();
    }

    protected override void Apply(RealtimeMessage message, bool live)
    {
        var update = message.Read<MapUpdatePayload>();
        var at = VenueClock(update.UpdatedAt);
        foreach (var zone in update.Zones)
        {
            if (!_points.TryGetValue(zone.ZoneId, out var points))
            {
                _points[zone.ZoneId] = points = [];
            }
            if (points.Count > 0 && at - points[^1].At < Step)
            {
                points[^1] = (points[^1].At, zone.Count);
            }
            else
            {
                points.Add((at, zone.Count));
            }
            var cutoff = at - Window;
            points.RemoveAll(p => p.At < cutoff);
        }
        Rebuild();
    }

    private void Rebuild() => _series =
    [
        .. (Definition?.Zones ?? []).Where(z => _points.ContainsKey(z.Id)).Select(z => new ChartSeries<double>
        {
            Name = z.Name,
            Data = new ChartData<double>(_points[z.Id].Select(p => (p.At, p.Count)).ToList()),
        }),
    ];

    /// <summary>The chart's time axis runs on the venue's clock.</summary>
    private DateTime VenueClock(DateTimeOffset at) => TimeZoneInfo.ConvertTime(at, Definition?.TimeZone ?? TimeZoneInfo.Utc).DateTime;
}
