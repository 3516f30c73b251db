using System.Collections.Concurrent;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrowdShield.Web.Auth;

/// <summary>
/// Validates a bearer token fully once and remembers the result until the token expires. A device sends the same
/// token with every ping for hours; parsing it and checking its signature again was a tenth of the server's CPU per
/// single ping on one core. Only successful validations are remembered, keyed by the exact token text, so a changed
/// or forged token is always validated in full; the remembered result is never used past the token's own expiry
/// (without the clock skew the full check allows). Who the token stands for is still looked up on every request
/// (<c>OnTokenValidated</c>: a disabled user, a changed password or a sign-out takes effect at once).
/// </summary>
public sealed class RememberingTokenHandler : JsonWebTokenHandler
{
    /// <summary>Tokens remembered at most; past that the memory starts again (a venue has hundreds of devices, not thousands).</summary>
    public const int Capacity = 4096;

    private readonly ConcurrentDictionary<string, Validated> _validated = new(StringComparer.Ordinal);

    /// <summary>How many tokens are remembered now (for tests).</summary>
    public int Count => _validated.Count;

    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        ArgumentNullException.ThrowIfNull(validationParameters);
        // The clock the full validation reads (Microsoft.IdentityModel checks lifetimes against DateTime.UtcNow).
        var now = DateTime.UtcNow;
        if (token is not null && _validated.TryGetValue(token, out var known))
        {
            if (now < known.Token.ValidTo)
            {
                // A copy: the caller changes the identity (the role is replaced by the database's).
                return new TokenValidationResult
                {
                    IsValid = true,
                    SecurityToken = known.Token,
                    ClaimsIdentity = known.Identity.Clone(),
                    Issuer = known.Token.Issuer,
                    TokenType = known.Token.Typ,
                };
            }
            _validated.TryRemove(token, out _);
        }

        var result = await base.ValidateTokenAsync(token, validationParameters).ConfigureAwait(false);
        if (result.IsValid && token is not null && result.SecurityToken is JsonWebToken { ValidTo: var validTo } jwt
            && validTo != DateTime.MinValue && now < validTo)
        {
            if (_validated.Count >= Capacity)
            {
                _validated.Clear();
            }
            _validated[token] = new Validated(jwt, result.ClaimsIdentity.Clone());
        }
        return result;
    }

    private sealed record Validated(JsonWebToken Token, System.Security.Claims.ClaimsIdentity Identity);
}
