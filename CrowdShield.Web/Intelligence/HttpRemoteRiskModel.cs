using CrowdShield.Core.Intelligence;

namespace CrowdShield.Web.Intelligence;

/// <summary>Configuration section "Ai".</summary>
public sealed class AiOptions
{
    /// <summary>Base address of an outside risk model; it receives POST {ServiceUrl}/risk with the features.</summary>
    public Uri? ServiceUrl { get; set; }
    /// <summary>The whole call, retries included, must answer within this, or the built-in model answers.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
    /// <summary>How often the background service reassesses active events.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>Calls the outside model through HttpClient with the standard resilience handler; any failure is a null answer.</summary>
internal sealed class HttpRemoteRiskModel(IHttpClientFactory clients, ILogger<HttpRemoteRiskModel> logger) : IRemoteRiskModel
{
    public const string ClientName = "remote-risk-model";

    public bool IsConfigured => true;

    public async Task<RemoteRisk?> AssessAsync(RiskFeatures features, CancellationToken cancellationToken)
    {
        try
        {
            // A client per call from the factory: the engine is a singleton, the handlers rotate.
            using var http = clients.CreateClient(ClientName);
            using var response = await http.PostAsJsonAsync("risk", features, cancellationToken);
            response.EnsureSuccessStatusCode();
            return await response.Content.ReadFromJsonAsync<RemoteRisk>(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or TimeoutException or System.Text.Json.JsonException
            or Polly.Timeout.TimeoutRejectedException or Polly.CircuitBreaker.BrokenCircuitException)
        {
            logger.LogWarning("Remote risk model unavailable ({Error}); the built-in model answers", ex.GetType().Name);
            return null;
        }
    }
}

public static class IntelligenceServiceExtensions
{
    public static IHostApplicationBuilder AddCrowdShieldIntelligence(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection("Ai");
        builder.Services.Configure<AiOptions>(section);
        var ai = section.Get<AiOptions>() ?? new AiOptions();
        if (ai.ServiceUrl is { } url)
        {
            builder.Services.AddSingleton<IRemoteRiskModel, HttpRemoteRiskModel>();
            builder.Services.AddHttpClient(HttpRemoteRiskModel.ClientName, client =>
                    client.BaseAddress = new Uri(url.ToString().TrimEnd('/') + "/"))
                .AddStandardResilienceHandler(options =>
                {
                    // Short: an operator waits for the insight, and the built-in model is a good answer.
                    options.TotalRequestTimeout.Timeout = ai.Timeout;
                    options.AttemptTimeout.Timeout = TimeSpan.FromTicks(Math.Max(ai.Timeout.Ticks / 2, TimeSpan.FromMilliseconds(100).Ticks));
                    options.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(options.AttemptTimeout.Timeout.Ticks * 2, TimeSpan.FromSeconds(1).Ticks));
                    options.Retry.MaxRetryAttempts = 1;
                });
        }
        return builder;
    }
}
