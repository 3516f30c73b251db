using System.Globalization;
using CrowdShield.Core.Intelligence.Forecasting;
using CrowdShield.ForecastEval;

// Usage: dotnet run --project tools/CrowdShield.ForecastEval -c Release -- [alerts] <series.csv> [--out FILE.md]
// The CSV has a header and rows "timestamp,value", one per hour, without gaps. With "alerts", forecast alerts are
// replayed on the series and on the demo venue instead (docs/forecast-alerts.md).
var alerts = args.Length > 0 && args[0] == "alerts";
args = alerts ? args[1..] : args;
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: CrowdShield.ForecastEval [alerts] <hourly-series.csv> [--out FILE.md]");
    return 2;
}
var path = args[0];
var output = Array.IndexOf(args, "--out") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : null;
var y = File.ReadLines(path).Skip(1)
    .Select(line => line.Split(','))
    .Where(parts => parts.Length >= 2)
    .Select(parts => double.Parse(parts[1], CultureInfo.InvariantCulture))
    .ToArray();

if (alerts)
{
    List<AlertEvaluation.Row> rows =
    [
        .. AlertEvaluation.Hourly(Path.GetFileName(path), y, holdoutShare: 0.2, quantiles: [0.90, 0.95, 0.99]),
        .. AlertEvaluation.Demo(TimeSpan.FromDays(1), seed: 1),
    ];
    var report = AlertEvaluation.ToMarkdown(rows);
    Console.WriteLine(report);
    if (output is not null)
    {
        File.WriteAllText(output, report);
        Console.WriteLine($"written to {output}");
    }
    return 0;
}

var evaluation = ForecastEvaluation.Run(y, horizons: [1, 3], holdoutShare: 0.2);
var table = evaluation.ToMarkdown(Path.GetFileName(path));
Console.WriteLine(table);
if (output is not null)
{
    File.WriteAllText(output, table);
    Console.WriteLine($"written to {output}");
}
return evaluation.ModelBeatsEveryBaseline ? 0 : 1;
