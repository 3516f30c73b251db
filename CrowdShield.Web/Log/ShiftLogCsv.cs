using System.Globalization;
using CrowdShield.Core.Log;
using CsvHelper;

namespace CrowdShield.Web.Log;

/// <summary>The shift log as CSV (CsvHelper, RFC 4180): one row per line of the log, times in UTC and on the venue's clock.</summary>
public static class ShiftLogCsv
{
    private static readonly string[] Header = ["time_utc", "time_venue", "kind", "zone_id", "zone", "who", "severity", "text", "ref"];

    public static byte[] Write(ShiftLogData log)
    {
        using var buffer = new MemoryStream();
        // A BOM so that spreadsheets read names and texts as UTF-8; text typed by users never runs as a formula there.
        var options = new CsvWriterOptions { WriteByteOrderMark = true, Injection = CsvInjection.Escape };
        using (var csv = CsvWriter.Create(buffer, options, leaveOpen: true))
        {
            csv.WriteRecord(Header);
            foreach (var e in log.Entries)
            {
                csv.WriteRecord(
                [
                    e.At.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
                    log.Event.VenueTime(e.At).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
                    e.Kind, e.ZoneId, e.Zone, e.Who, e.Severity, e.Text, e.RefId,
                ]);
            }
        }
        return buffer.ToArray();
    }
}
