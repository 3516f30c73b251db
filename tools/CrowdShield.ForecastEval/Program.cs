using System.Globalization;
using CrowdShield.Core.Intelligence.Forecasting;

// Usage: dotnet run --project tools/CrowdShield.ForecastEval -c Release -- <series.csv> [--out docs/forecast-evaluation.md]
// The CSV has a header and rows "timestamp,value", one per hour, without gaps.
if (args.Length < 1 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: CrowdShield.ForecastEval <hourly-series.csv> [--out FILE.md]");
    return 2;
}
var path = args[0];
var output = Array.IndexOf(args, "--out") is var o and >= 0 && o + 1 < args.Length ? args[o + 1] : null;
var y = File.ReadLines(path).Skip(1)
    .Select(line => line.Split(','))
    .Where(parts => parts.Length >= 2)
    .Select(parts => double.Parse(parts[1], CultureInfo.InvariantCulture))
    .ToArray();

var evaluation = ForecastEvaluation.Run(y, horizons: [1, 3], holdoutShare: 0.2);
var table = evaluation.ToMarkdown(Path.GetFileName(path));
Console.WriteLine(table);
if (output is not null)
{
    File.WriteAllText(output, table);
    Console.WriteLine($"written to {output}");
}
return evaluation.ModelBeatsEveryBaseline ? 0 : 1;
