using System.Globalization;
using System.Text;

namespace CrowdShield.Core.Intelligence.Forecasting;

/// <summary>
/// Rolling-origin evaluation: every step of the last part of a series is a forecast origin, each forecast uses
/// only what was known then, and the error is measured at each horizon, for the model and for simple baselines.
/// </summary>
public sealed record ForecastEvaluation(int Length, int FirstOrigin, IReadOnlyList<HorizonResult> Horizons)
{
    public const int Day = 24;
    public const int Week = 168;

    /// <summary>The baselines every forecaster must beat, by name, as functions of (series, origin, horizon).</summary>
    public static readonly IReadOnlyList<(string Name, Func<IReadOnlyList<double>, int, int, double> Forecast)> Baselines =
    [
        ("last value", (y, t, h) => y[t]),
        ("same hour yesterday", (y, t, h) => y[t + h - Day]),
        ("same hour last week", (y, t, h) => y[t + h - Week]),
        ("mean of same hour, 4 previous weeks", (y, t, h) => Enumerable.Range(1, 4).Average(k => y[t + h - k * Week])),
        ("last week + latest deviation", (y, t, h) => y[t + h - Week] + (y[t] - y[t - Week])),
    ];

    public bool ModelBeatsEveryBaseline => Horizons.All(h => h.Scores.Where(s => !s.IsModel).All(b => h.Model.Mae < b.Mae));

    public static ForecastEvaluation Run(IReadOnlyList<double> y, IReadOnlyList<int> horizons, double holdoutShare)
    {
        var model = new SeasonalForecaster();
        var first = Math.Max((int)Math.Floor(y.Count * (1 - holdoutShare)), 4 * Week + Day);
        var results = new List<HorizonResult>();
        foreach (var h in horizons)
        {
            var forecasters = new List<(string Name, bool IsModel, Func<IReadOnlyList<double>, int, int, double> Forecast)>
            {
                ("CrowdShield seasonal model", true, model.Forecast),
            };
            forecasters.AddRange(Baselines.Select(b => (b.Name, false, b.Forecast)));
            var scores = new List<Score>();
            foreach (var (name, isModel, forecast) in forecasters)
            {
                double absolute = 0, actual = 0;
                var n = 0;
                for (var t = first; t + h < y.Count; t++)
                {
                    absolute += Math.Abs(forecast(y, t, h) - y[t + h]);
                    actual += Math.Abs(y[t + h]);
                    n++;
                }
                scores.Add(new Score(name, isModel, absolute / n, absolute / actual, n));
            }
            results.Add(new HorizonResult(h, scores));
        }
        return new ForecastEvaluation(y.Count, first, results);
    }

    public string ToMarkdown(string series)
    {
        var text = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        text.AppendLine(c, $"Series `{series}`: {Length} hourly values; rolling origin over the last {Length - FirstOrigin} ({(double)(Length - FirstOrigin) / Length:P0}), every hour an origin.");
        text.AppendLine();
        text.AppendLine("| forecaster | " + string.Join(" | ", Horizons.Select(h => $"MAE {h.Horizon} h | WAPE {h.Horizon} h")) + " |");
        text.AppendLine("|---|" + string.Concat(Horizons.Select(_ => "---|---|")));
        foreach (var name in Horizons[0].Scores.Select(s => s.Name))
        {
            var cells = Horizons.Select(h => h.Scores.Single(s => s.Name == name)).Select(s => s.IsModel
                ? string.Create(c, $"**{s.Mae:0.0}** | **{s.Wape:P1}**")
                : string.Create(c, $"{s.Mae:0.0} | {s.Wape:P1}"));
            text.AppendLine(c, $"| {name} | {string.Join(" | ", cells)} |");
        }
        text.AppendLine();
        foreach (var h in Horizons)
        {
            var best = h.Scores.Where(s => !s.IsModel).MinBy(s => s.Mae)!;
            text.AppendLine(c, $"- {h.Horizon} h: model MAE {h.Model.Mae:0.0} vs best baseline ({best.Name}) {best.Mae:0.0}: {1 - h.Model.Mae / best.Mae:P1} lower.");
        }
        text.AppendLine();
        text.AppendLine(ModelBeatsEveryBaseline ? "The model beats every baseline at every horizon." : "**The model does NOT beat every baseline.**");
        return text.ToString();
    }
}

public sealed record HorizonResult(int Horizon, IReadOnlyList<Score> Scores)
{
    public Score Model => Scores.Single(s => s.IsModel);
}

public sealed record Score(string Name, bool IsModel, double Mae, double Wape, int Forecasts);
