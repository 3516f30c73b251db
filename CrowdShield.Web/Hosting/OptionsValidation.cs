using CrowdShield.Core.Alerts;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Map;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Components.Live;
using CrowdShield.Web.Hosting.Demo;
using CrowdShield.Web.Intelligence;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// Every options class is checked when the app starts: a bad value stops the start with a message naming its
/// configuration key and what it must be, instead of a crash an hour later (an interval of zero) or a system that
/// quietly does the wrong thing (a feed kept for a minute).
/// </summary>
public static class OptionsValidation
{
    public static IServiceCollection AddValidatedOptions(this IServiceCollection services)
    {
        Validate<MapOptions>(services, "Map", (o, r) =>
        {
            r.Between(o.CellSizeM, "CellSizeM", 1, 1000, "metres");
            r.AtLeast(o.CameraFreshness, "CameraFreshness", TimeSpan.FromSeconds(10));
            r.Between(o.MaxLivePingsPerEvent, "MaxLivePingsPerEvent", 1000, 10_000_000);
            r.Between(o.MaxPointsPerUpdate, "MaxPointsPerUpdate", 100, 1_000_000);
            r.Bands(o.Bands, "Bands");
            foreach (var (eventId, bands) in o.BandsByEvent)
            {
                r.Bands(bands, $"BandsByEvent:{eventId}");
            }
        });
        Validate<AlertOptions>(services, "Alerts", (o, r) =>
        {
            r.AtLeast(o.LiveWindow, "LiveWindow", TimeSpan.FromSeconds(10));
            r.Between(o.CriticalFactor, "CriticalFactor", 1.01, 100, "times the threshold");
            r.Between(o.RecoveryFactor, "RecoveryFactor", 0.05, 1, "of the bound");
            r.AtLeast(o.RecoveryHold, "RecoveryHold", TimeSpan.Zero);
            r.AtLeast(o.CameraSilence, "CameraSilence", TimeSpan.FromSeconds(10));
        });
        Validate<ClusterOptions>(services, "Cluster", (o, r) =>
        {
            r.AtLeast(o.RenewEvery, "RenewEvery", TimeSpan.FromMilliseconds(100));
            r.AtLeast(o.LeaseTtl, "LeaseTtl", o.RenewEvery * 2, "twice Cluster:RenewEvery");
            r.AtLeast(o.GapWait, "GapWait", TimeSpan.FromMilliseconds(10));
            r.AtLeast(o.PollEvery, "PollEvery", TimeSpan.FromMilliseconds(100));
        });
        Validate<RetentionOptions>(services, "Retention", (o, r) =>
        {
            r.AtLeast(o.Feed, "Feed", TimeSpan.FromHours(1), "one hour, which the contract promises");
            r.AtLeast(o.ExpiredPings, "ExpiredPings", TimeSpan.Zero);
            r.AtLeast(o.CameraReadings, "CameraReadings", TimeSpan.FromDays(1));
            r.AtLeast(o.HourlyCounts, "HourlyCounts", TimeSpan.FromDays(7), "a week, or the weekly forecasts have nothing to learn from");
            r.AtLeast(o.Audit, "Audit", TimeSpan.FromDays(90), "90 days");
            r.AtLeast(o.Interval, "Interval", TimeSpan.FromSeconds(10));
        });
        Validate<AiOptions>(services, "Ai", (o, r) =>
        {
            r.AtLeast(o.Interval, "Interval", TimeSpan.FromMilliseconds(500));
            r.Between(o.Timeout, "Timeout", TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1));
            if (o.ServiceUrl is { } url && (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https")))
            {
                r.Fail("ServiceUrl", "must be an absolute http or https address");
            }
        });
        Validate<DemoOptions>(services, "Demo", (o, r) =>
        {
            r.AtLeast(o.Tick, "Tick", TimeSpan.FromMilliseconds(100));
            r.Between(o.Phones, "Phones", 0, 100_000);
            r.AtLeast(o.SurgeCycle, "SurgeCycle", o.Tick * 4, "four times Demo:Tick");
            r.AtLeast(o.ReportEvery, "ReportEvery", TimeSpan.FromSeconds(1));
        });
        Validate<LoginLimits>(services, "RateLimits:Login", (o, r) =>
        {
            r.Between(o.PerClient, "PerClient", 1, 10_000_000);
            r.Between(o.PerAccount, "PerAccount", 1, 10_000_000);
            r.Between(o.Window, "Window", TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        });
        Validate<IngestLimits>(services, "RateLimits:Ingest", (o, r) => r.Between(o.PerUser, "PerUser", 1, 100_000_000));
        Validate<MapUiOptions>(services, "MapUi", (o, r) =>
        {
            if (!string.IsNullOrWhiteSpace(o.TileUrl) && !(o.TileUrl.Contains("{z}", StringComparison.Ordinal) && o.TileUrl.Contains("{x}", StringComparison.Ordinal)
                && o.TileUrl.Contains("{y}", StringComparison.Ordinal) && Uri.TryCreate(o.TileUrl.Replace("{", "").Replace("}", ""), UriKind.Absolute, out _)))
            {
                r.Fail("TileUrl", "must be an absolute URL template with {z}, {x} and {y}");
            }
            foreach (var (eventId, plan) in o.Plans)
            {
                if (!(plan.South < plan.North && plan.West < plan.East && Math.Abs(plan.South) <= 90 && Math.Abs(plan.North) <= 90))
                {
                    r.Fail($"Plans:{eventId}", "needs South < North and West < East, in degrees");
                }
            }
        });
        return services;
    }

    private static void Validate<T>(IServiceCollection services, string section, Action<T, Rules> rules) where T : class
    {
        services.AddOptions<T>().ValidateOnStart();
        services.AddSingleton<IValidateOptions<T>>(new Validator<T>(section, rules));
    }

    private sealed class Validator<T>(string section, Action<T, Rules> rules) : IValidateOptions<T> where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            var checks = new Rules(section);
            rules(options, checks);
            return checks.Failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(checks.Failures);
        }
    }

    private sealed class Rules(string section)
    {
        public List<string> Failures { get; } = [];

        public void Fail(string key, string must) => Failures.Add($"{section}:{key} {must}.");

        public void AtLeast(TimeSpan value, string key, TimeSpan min, string? what = null)
        {
            if (value < min)
            {
                Fail(key, $"is {value} but must be at least {what ?? min.ToString()}");
            }
        }

        public void Between(TimeSpan value, string key, TimeSpan min, TimeSpan max)
        {
            if (value < min || value > max)
            {
                Fail(key, $"is {value} but must be between {min} and {max}");
            }
        }

        public void Between(double value, string key, double min, double max, string unit = "")
        {
            if (!double.IsFinite(value) || value < min || value > max)
            {
                Fail(key, $"is {value} but must be between {min} and {max}{(unit.Length > 0 ? " " + unit : "")}");
            }
        }

        public void Bands(DensityBands bands, string key)
        {
            (string Name, double Value)[] steps =
                [("ModerateFrom", bands.ModerateFrom), ("ElevatedFrom", bands.ElevatedFrom), ("HighFrom", bands.HighFrom), ("CriticalFrom", bands.CriticalFrom)];
            if (!(bands.ModerateFrom > 0))
            {
                Fail($"{key}:ModerateFrom", $"is {bands.ModerateFrom} but must be above 0 persons per m²");
            }
            for (var i = 1; i < steps.Length; i++)
            {
                if (!(steps[i].Value > steps[i - 1].Value))
                {
                    Fail($"{key}:{steps[i].Name}", $"is {steps[i].Value} but must be above {section}:{key}:{steps[i - 1].Name} ({steps[i - 1].Value}): the bands rise");
                }
            }
        }
    }
}
