namespace CrowdShield.Core.Intelligence.Forecasting;

/// <summary>
/// Forecasts a regular series (one value per step, e.g. hourly counts) from its weekly pattern and how far it
/// currently is from that pattern.
/// <para>
/// The profile of a step is the <b>median</b> of the same step (same hour, same weekday) in up to
/// <c>profileWeeks</c> previous weeks: a holiday, a match day or a broken sensor in one week does not drag the
/// profile, where a mean would. The forecast is the profile at the target plus learned shares of three
/// deviations from the profile: now, averaged over the last three steps, and at the target hour yesterday:
/// <c>ŷ(t+h) = P(t+h) + w₁·d(t) + w₂·mean(d(t−2..t)) + w₃·d(t+h−day)</c>. The shares are fitted per horizon by
/// ridge least squares over the last <c>fitWeeks</c> weeks at every forecast, so the model adapts to each
/// series instead of carrying constants tuned to one.
/// </para>
/// </summary>
public sealed class SeasonalForecaster(int stepsPerDay = 24, int profileWeeks = 6, int fitWeeks = 6)
{
    private const int Features = 3;
    private readonly int _day = stepsPerDay;
    private readonly int _week = 7 * stepsPerDay;

    /// <summary>Enough history for the weekly model: a week to build profiles from and a day to fit on.</summary>
    public bool CanForecast(int historyLength) => historyLength >= _week + 2 * _day;

    /// <summary>The forecast of <paramref name="y"/> at <paramref name="origin"/> + <paramref name="horizon"/>, using only y[0..origin].</summary>
    public double Forecast(IReadOnlyList<double> y, int origin, int horizon)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (!CanForecast(origin + 1))
        {
            throw new ArgumentException("Not enough history for the weekly model.", nameof(y));
        }
        return ForecastWith(Fit(y, origin, horizon), y, origin, horizon);
    }

    private double ForecastWith(double[] weights, IReadOnlyList<double> y, int origin, int horizon)
    {
        Span<double> x = stackalloc double[Features];
        Deviations(y, origin, horizon, x);
        var forecast = Profile(y, origin + horizon, origin);
        for (var i = 0; i < Features; i++)
        {
            forecast += weights[i] * x[i];
        }
        return Math.Max(0, forecast);
    }

    /// <summary>
    /// The forecast with an interval calibrated on the series' own history: the quantiles of the model's errors at
    /// this horizon over the origins it was fitted on (<paramref name="coverage"/> 0.8: the 10th and 90th percentiles).
    /// </summary>
    public (double Forecast, double Low, double High) ForecastInterval(IReadOnlyList<double> y, int origin, int horizon, double coverage = 0.8)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(horizon, 1);
        if (!CanForecast(origin + 1))
        {
            throw new ArgumentException("Not enough history for the weekly model.", nameof(y));
        }
        var weights = Fit(y, origin, horizon);
        var forecast = ForecastWith(weights, y, origin, horizon);
        var errors = new List<double>();
        for (var s = Math.Max(_week + _day, origin - fitWeeks * _week); s + horizon <= origin; s++)
        {
            errors.Add(y[s + horizon] - ForecastWith(weights, y, s, horizon));
        }
        if (errors.Count == 0)
        {
            return (forecast, forecast, forecast);
        }
        errors.Sort();
        var tail = (1 - coverage) / 2;
        return (forecast, Math.Max(0, forecast + Quantile(errors, tail)), Math.Max(0, forecast + Quantile(errors, 1 - tail)));
    }

    private static double Quantile(List<double> sorted, double p)
    {
        var position = p * (sorted.Count - 1);
        var below = (int)Math.Floor(position);
        var above = Math.Min(below + 1, sorted.Count - 1);
        return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
    }

    /// <summary>Median of the same step in the earlier weeks known at <paramref name="known"/>; yesterday's value before there is a week.</summary>
    public double Profile(IReadOnlyList<double> y, int step, int known)
    {
        Span<double> values = stackalloc double[profileWeeks];
        var n = 0;
        for (var k = 1; k <= profileWeeks; k++)
        {
            var s = step - k * _week;
            if (s < 0)
            {
                break;
            }
            if (s <= known)
            {
                values[n++] = y[s];
            }
        }
        if (n == 0)
        {
            return y[Math.Clamp(step - _day, 0, known)];
        }
        var sorted = values[..n];
        sorted.Sort();
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private double Deviation(IReadOnlyList<double> y, int step, int known) =>
        step < 0 || step > known ? 0 : y[step] - Profile(y, step, known);

    private void Deviations(IReadOnlyList<double> y, int origin, int horizon, Span<double> x)
    {
        x[0] = Deviation(y, origin, origin);
        x[1] = (x[0] + Deviation(y, origin - 1, origin) + Deviation(y, origin - 2, origin)) / 3;
        x[2] = Deviation(y, origin + horizon - _day, origin);
    }

    /// <summary>Ridge least squares of the target's deviation on the three deviations, over recent origins.</summary>
    private double[] Fit(IReadOnlyList<double> y, int origin, int horizon)
    {
        var a = new double[Features, Features];
        var b = new double[Features];
        Span<double> x = stackalloc double[Features];
        for (var s = Math.Max(_week + _day, origin - fitWeeks * _week); s + horizon <= origin; s++)
        {
            Deviations(y, s, horizon, x);
            var r = y[s + horizon] - Profile(y, s + horizon, s);
            for (var i = 0; i < Features; i++)
            {
                b[i] += x[i] * r;
                for (var j = 0; j < Features; j++)
                {
                    a[i, j] += x[i] * x[j];
                }
            }
        }
        // A small ridge keeps the fit stable when deviations are tiny or nearly collinear (d(t) and its 3-step mean).
        var ridge = 1e-3 * (a[0, 0] + a[1, 1] + a[2, 2]) / Features + 1e-9;
        for (var i = 0; i < Features; i++)
        {
            a[i, i] += ridge;
        }
        return LinearAlgebra.Solve(a, b);
    }
}

internal static class LinearAlgebra
{
    /// <summary>Solves a·x = b by Gauss-Jordan elimination with partial pivoting; zeros when singular.</summary>
    public static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        var m = (double[,])a.Clone();
        var x = (double[])b.Clone();
        for (var c = 0; c < n; c++)
        {
            var pivot = c;
            for (var r = c + 1; r < n; r++)
            {
                if (Math.Abs(m[r, c]) > Math.Abs(m[pivot, c]))
                {
                    pivot = r;
                }
            }
            if (Math.Abs(m[pivot, c]) < 1e-12)
            {
                return new double[n];
            }
            for (var j = 0; j < n; j++)
            {
                (m[c, j], m[pivot, j]) = (m[pivot, j], m[c, j]);
            }
            (x[c], x[pivot]) = (x[pivot], x[c]);
            for (var r = 0; r < n; r++)
            {
                if (r == c)
                {
                    continue;
                }
                var f = m[r, c] / m[c, c];
                for (var j = c; j < n; j++)
                {
                    m[r, j] -= f * m[c, j];
                }
                x[r] -= f * x[c];
            }
        }
        for (var i = 0; i < n; i++)
        {
            x[i] /= m[i, i];
        }
        return x;
    }
}
