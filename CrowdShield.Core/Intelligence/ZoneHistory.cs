using CrowdShield.Core.Data;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Intelligence;

/// <summary>Reads a zone's recent camera counts as one series (counts of all its cameras summed per minute).</summary>
public sealed class ZoneHistory(IDbContextFactory<CrowdShieldDb> dbFactory)
{
    public async Task<IReadOnlyDictionary<string, IReadOnlyList<(DateTimeOffset At, double Count)>>> RecentAsync(
        string eventId, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var rows = await db.CameraCounts.AsNoTracking()
            .Where(c => c.EventId == eventId && c.CapturedAt >= since)
            .Select(c => new { c.ZoneId, c.CameraId, c.CapturedAt, c.Count })
            .ToListAsync(cancellationToken);
        return rows
            .GroupBy(r => r.ZoneId)
            .ToDictionary(
                z => z.Key,
                z => (IReadOnlyList<(DateTimeOffset, double)>)z
                    // Per minute: the last count of each camera, summed over the zone's cameras.
                    .GroupBy(r => r.CapturedAt.ToUnixTimeSeconds() / 60)
                    .OrderBy(m => m.Key)
                    .Select(m => (DateTimeOffset.FromUnixTimeSeconds(m.Key * 60),
                        (double)m.GroupBy(r => r.CameraId).Sum(c => c.MaxBy(r => r.CapturedAt)!.Count)))
                    .ToList());
    }
}
