using System.Globalization;
using CrowdShield.Core.Log;
using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace CrowdShield.Web.Log;

/// <summary>
/// The shift log as a PDF (PDFsharp): a title block, the zone counts over the window as a line chart with each
/// zone's threshold, and the log's lines as a table over as many A4 pages as they need. Times are on the venue's clock.
/// </summary>
public static class ShiftLogPdf
{
    private static readonly XColor[] Palette =
    [
        XColor.FromArgb(0x1f, 0x77, 0xb4), XColor.FromArgb(0xd6, 0x27, 0x28), XColor.FromArgb(0x2c, 0xa0, 0x2c), XColor.FromArgb(0xff, 0x7f, 0x0e),
        XColor.FromArgb(0x94, 0x67, 0xbd), XColor.FromArgb(0x8c, 0x56, 0x4b), XColor.FromArgb(0xe3, 0x77, 0xc2), XColor.FromArgb(0x7f, 0x7f, 0x7f),
        XColor.FromArgb(0xbc, 0xbd, 0x22), XColor.FromArgb(0x17, 0xbe, 0xcf),
    ];
    private const double Margin = 40;

    static ShiftLogPdf() => BundledFonts.Install();

    public static byte[] Write(ShiftLogData log)
    {
        var c = CultureInfo.InvariantCulture;
        using var document = new PdfDocument();
        document.Info.Title = $"Shift log — {log.Event.Name}";
        document.Info.Creator = "CrowdShield";
        var title = new XFont(BundledFonts.Family, 16, XFontStyleEx.Bold);
        var heading = new XFont(BundledFonts.Family, 11, XFontStyleEx.Bold);
        var body = new XFont(BundledFonts.Family, 8.5);
        var small = new XFont(BundledFonts.Family, 7);

        var page = document.AddPage();
        page.Size = PdfSharp.PageSize.A4;
        var gfx = XGraphics.FromPdfPage(page);
        var width = page.Width.Point - 2 * Margin;
        var y = Margin;
        gfx.DrawString($"Shift log — {log.Event.Name}", title, XBrushes.Black, new XPoint(Margin, y + 14));
        y += 24;
        var zoneName = log.Event.TimeZone.Id;
        gfx.DrawString(string.Create(c, $"{log.Event.VenueTime(log.From):yyyy-MM-dd HH:mm} to {log.Event.VenueTime(log.To):yyyy-MM-dd HH:mm} ({zoneName})"),
            body, XBrushes.Black, new XPoint(Margin, y + 9));
        y += 14;
        var alerts = log.Entries.Count(e => e.Kind == ShiftLogKinds.Alert);
        var actions = log.Entries.Count(e => e.Kind == ShiftLogKinds.Action);
        var reports = log.Entries.Count(e => e.Kind == ShiftLogKinds.Report);
        gfx.DrawString(string.Create(c, $"{alerts} alerts, {actions} actions, {reports} field reports, {log.Entries.Count} lines in all"),
            body, XBrushes.Black, new XPoint(Margin, y + 9));
        y += 22;

        gfx.DrawString("Zone counts", heading, XBrushes.Black, new XPoint(Margin, y + 10));
        y += 16;
        y = DrawChart(gfx, log, new XRect(Margin, y, width, 210), small) + 16;

        gfx.DrawString("Log", heading, XBrushes.Black, new XPoint(Margin, y + 10));
        y += 16;
        double[] columns = [62, 62, 70, 72, width - 266];
        string[] headers = ["Time", "Kind", "Zone", "Who", "What"];
        void Header()
        {
            var x = Margin;
            for (var i = 0; i < headers.Length; i++)
            {
                gfx.DrawString(headers[i], heading, XBrushes.Black, new XPoint(x, y + 9));
                x += columns[i];
            }
            y += 14;
            gfx.DrawLine(XPens.Gray, Margin, y - 2, Margin + width, y - 2);
        }
        Header();
        if (log.Entries.Count == 0)
        {
            gfx.DrawString("Nothing happened in this window.", body, XBrushes.Black, new XPoint(Margin, y + 9));
        }
        foreach (var entry in log.Entries)
        {
            string[] cells =
            [
                log.Event.VenueTime(entry.At).ToString("dd MMM HH:mm:ss", c), entry.Kind + (entry.Severity is { } s ? $" ({s})" : ""),
                entry.Zone ?? "", entry.Who ?? "", entry.Text,
            ];
            var lines = cells.Select((text, i) => Wrap(gfx, text, body, columns[i] - 4)).ToList();
            var height = lines.Max(l => l.Count) * 10 + 3;
            if (y + height > page.Height.Point - Margin)
            {
                gfx.Dispose();
                page = document.AddPage();
                page.Size = PdfSharp.PageSize.A4;
                gfx = XGraphics.FromPdfPage(page);
                y = Margin;
                Header();
            }
            var x = Margin;
            for (var i = 0; i < cells.Length; i++)
            {
                for (var l = 0; l < lines[i].Count; l++)
                {
                    gfx.DrawString(lines[i][l], body, XBrushes.Black, new XPoint(x, y + 8 + l * 10));
                }
                x += columns[i];
            }
            y += height;
        }
        gfx.Dispose();
        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    /// <summary>One line per zone over the window, its threshold dashed in the same colour, time along the bottom.</summary>
    private static double DrawChart(XGraphics gfx, ShiftLogData log, XRect area, XFont font)
    {
        var c = CultureInfo.InvariantCulture;
        var plot = new XRect(area.X + 30, area.Y, area.Width - 30, area.Height - 40);
        var zones = log.Counts.Where(z => z.Points.Count > 0).ToList();
        gfx.DrawRectangle(XPens.LightGray, plot);
        if (zones.Count == 0)
        {
            gfx.DrawString("No counts were recorded in this window.", font, XBrushes.Gray, new XPoint(plot.X + 8, plot.Y + 14));
            return area.Bottom;
        }
        var max = Math.Max(1, zones.Max(z => Math.Max(z.Points.Max(p => p.Count), z.Threshold)) * 1.05);
        var span = (log.To - log.From).TotalMilliseconds;
        double X(DateTimeOffset at) => plot.X + plot.Width * (at - log.From).TotalMilliseconds / span;
        double Y(double count) => plot.Bottom - plot.Height * count / max;
        for (var i = 0; i <= 4; i++)
        {
            var value = max * i / 4;
            gfx.DrawLine(XPens.WhiteSmoke, plot.X, Y(value), plot.Right, Y(value));
            gfx.DrawString(value.ToString("0", c), font, XBrushes.Gray, new XPoint(area.X, Y(value) + 3));
        }
        for (var i = 0; i <= 4; i++)
        {
            var at = log.From + (log.To - log.From) * i / 4;
            gfx.DrawString(log.Event.VenueTime(at).ToString("HH:mm", c), font, XBrushes.Gray, new XPoint(X(at) - 10, plot.Bottom + 10));
        }
        var legendX = plot.X;
        var legendY = plot.Bottom + 22;
        for (var z = 0; z < zones.Count; z++)
        {
            var colour = Palette[z % Palette.Length];
            var pen = new XPen(colour, 1.2);
            var points = zones[z].Points.Select(p => new XPoint(X(p.At), Y(p.Count))).ToArray();
            if (points.Length == 1)
            {
                gfx.DrawEllipse(new XSolidBrush(colour), points[0].X - 1.5, points[0].Y - 1.5, 3, 3);
            }
            else
            {
                gfx.DrawLines(pen, points);
            }
            gfx.DrawLine(new XPen(colour, 0.6) { DashStyle = XDashStyle.Dash }, plot.X, Y(zones[z].Threshold), plot.Right, Y(zones[z].Threshold));
            var label = $"{zones[z].Name} (threshold {zones[z].Threshold})";
            var labelWidth = gfx.MeasureString(label, font).Width + 18;
            if (legendX + labelWidth > area.Right)
            {
                (legendX, legendY) = (plot.X, legendY + 9);
            }
            gfx.DrawLine(new XPen(colour, 2), legendX, legendY - 2.5, legendX + 10, legendY - 2.5);
            gfx.DrawString(label, font, XBrushes.Black, new XPoint(legendX + 13, legendY));
            legendX += labelWidth;
        }
        return legendY + 4;
    }

    /// <summary>Splits text into lines that fit <paramref name="width"/> points, at spaces where it can.</summary>
    private static List<string> Wrap(XGraphics gfx, string text, XFont font, double width)
    {
        var lines = new List<string>();
        var line = "";
        foreach (var word in text.Replace('\n', ' ').Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (gfx.MeasureString(candidate, font).Width <= width)
            {
                line = candidate;
                continue;
            }
            if (line.Length > 0)
            {
                lines.Add(line);
            }
            line = word;
            while (line.Length > 1 && gfx.MeasureString(line, font).Width > width)
            {
                var fit = line.Length - 1;
                while (fit > 1 && gfx.MeasureString(line[..fit], font).Width > width)
                {
                    fit--;
                }
                lines.Add(line[..fit]);
                line = line[fit..];
            }
        }
        if (line.Length > 0 || lines.Count == 0)
        {
            lines.Add(line);
        }
        return lines;
    }
}

/// <summary>
/// PDFsharp finds no system fonts on Linux; it draws with the Segoe WP faces that ship inside the PDFsharp
/// package (PdfSharp.WPFonts), so a PDF looks the same on every machine and needs no font installed.
/// </summary>
internal sealed class BundledFonts : IFontResolver
{
    public const string Family = "CrowdShield Sans";
    private static readonly Lock Gate = new();

    public static void Install()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not BundledFonts)
            {
                GlobalFontSettings.FontResolver = new BundledFonts();
            }
        }
    }

    public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? "SegoeWPBold" : "SegoeWP", mustSimulateBold: false, mustSimulateItalic: italic);

    public byte[]? GetFont(string faceName) => faceName switch
    {
        "SegoeWPBold" => PdfSharp.WPFonts.FontDataHelper.SegoeWPBold,
        _ => PdfSharp.WPFonts.FontDataHelper.SegoeWP,
    };
}
