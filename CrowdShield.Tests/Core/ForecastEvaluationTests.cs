using System.Globalization;
using CrowdShield.Core.Intelligence.Forecasting;
using CrowdShield.Tests.Infrastructure;

namespace CrowdShield.Tests.Core;

public sealed class ForecastEvaluationTests
{
    /// <summary>The real Melbourne series shipped in shared/data, found from the repository root.</summary>
    private static double[] Melbourne()
    {
        var path = Path.Combine(Path.GetDirectoryName(Repository.Root)!, "shared", "data", "melbourne-pedestrian-hourly-2009.csv");
        Assert.True(File.Exists(path), $"The Melbourne series is expected beside the repository, at {path} (the project's shared/ folder).");
        return [.. File.ReadLines(path).Skip(1).Select(l => double.Parse(l.Split(',')[1], CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void Model_BeatsEveryBaseline_AtOneAndThreeHours_OnTheMelbourneSeries()
    {
        var evaluation = ForecastEvaluation.Run(Melbourne(), horizons: [1, 3], holdoutShare: 0.2);

        Assert.True(evaluation.ModelBeatsEveryBaseline, evaluation.ToMarkdown("melbourne"));
        Assert.InRange(evaluation.Horizons[0].Model.Mae, 0, 127);
    }

    [Fact]
    public void WeeklyPattern_IsForecastAlmostExactly()
    {
        var y = Enumerable.Range(0, 24 * 7 * 5).Select(t => 500 + 400 * Math.Sin(2 * Math.PI * t / 24) + 100 * (t / 24 % 7 == 5 ? 1 : 0)).ToArray();
        var model = new SeasonalForecaster();

        var forecast = model.Forecast(y, y.Length - 4, 3);

        Assert.Equal(y[^1], forecast, 1e-6);
    }

    [Fact]
    public void SustainedSurge_IsCarriedIntoTheForecast()
    {
        var weekly = Enumerable.Range(0, 24 * 7 * 6).Select(t => 200.0 + 100 * Math.Sin(2 * Math.PI * t / 24) + (t * 7919 % 13)).ToList();
        // The last 12 hours run 300 above the usual pattern, as during an event.
        for (var t = weekly.Count - 12; t < weekly.Count; t++)
        {
            weekly[t] += 300;
        }
        var model = new SeasonalForecaster();
        var origin = weekly.Count - 1;

        var forecast = model.Forecast(weekly, origin, 1);
        var profile = model.Profile(weekly, origin + 1, origin);

        Assert.True(forecast > profile + 150, $"forecast {forecast:0} should carry most of the surge over the profile {profile:0}");
    }

    [Fact]
    public void ShortHistory_IsRefused()
    {
        var model = new SeasonalForecaster();

        Assert.False(model.CanForecast(24 * 5));
        Assert.Throws<ArgumentException>(() => model.Forecast(new double[24 * 5], 24 * 5 - 1, 1));
    }
}
