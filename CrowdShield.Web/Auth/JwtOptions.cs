using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CrowdShield.Web.Auth;

/// <summary>Configuration section "Jwt".</summary>
public sealed class JwtOptions
{
    public const int MinKeyBytes = 32;

    public string? SigningKey { get; set; }
    public string Issuer { get; set; } = "crowdshield";
    public string Audience { get; set; } = "crowdshield";
    public TimeSpan Lifetime { get; set; } = TimeSpan.FromHours(12);

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey!));
}

/// <summary>
/// Outside Development the signing key must be configured and long enough: a weak or default key would let
/// anyone mint tokens. In Development one is generated once and kept in the data folder, so tokens survive a restart.
/// </summary>
internal sealed class JwtOptionsSetup(IConfiguration configuration, IHostEnvironment environment, string dataDirectory)
    : IConfigureOptions<JwtOptions>, IValidateOptions<JwtOptions>
{
    public void Configure(JwtOptions options)
    {
        configuration.GetSection("Jwt").Bind(options);
        if (string.IsNullOrEmpty(options.SigningKey) && environment.IsDevelopment())
        {
            options.SigningKey = DevelopmentKey();
        }
    }

    public ValidateOptionsResult Validate(string? name, JwtOptions options) =>
        options.SigningKey is null || Encoding.UTF8.GetByteCount(options.SigningKey) < JwtOptions.MinKeyBytes
            ? ValidateOptionsResult.Fail($"Jwt:SigningKey must be set to at least {JwtOptions.MinKeyBytes} bytes (environment variable Jwt__SigningKey).")
            : ValidateOptionsResult.Success;

    private string DevelopmentKey()
    {
        var path = Path.Combine(dataDirectory, "jwt-signing.key");
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }
        Directory.CreateDirectory(dataDirectory);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(48));
        File.WriteAllText(path, key);
        return key;
    }
}
