using System.Security.Claims;
using System.Security.Cryptography;
using CrowdShield.Web.Auth;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace CrowdShield.Tests.Auth;

/// <summary>
/// Remembering a validated token must never accept what the full validation refuses: a changed signature, another
/// key, or a token past its expiry; and each request gets an identity of its own to change.
/// </summary>
public sealed class RememberingTokenHandlerTests
{
    private const string Issuer = "crowdshield-tests";
    private const string Audience = "crowdshield-tests-api";
    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(32));
    private readonly RememberingTokenHandler _handler = new() { MapInboundClaims = false };

    private static TokenValidationParameters Parameters(SecurityKey? key = null) => new()
    {
        ValidIssuer = Issuer, ValidAudience = Audience, IssuerSigningKey = key ?? Key,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256], ClockSkew = TimeSpan.Zero,
        NameClaimType = UserClaims.Name, RoleClaimType = UserClaims.Role,
    };

    private static string Token(DateTime expires, SecurityKey? key = null) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = Issuer, Audience = Audience, NotBefore = DateTime.UtcNow.AddMinutes(-1), IssuedAt = DateTime.UtcNow.AddMinutes(-1), Expires = expires,
        Subject = new ClaimsIdentity([new(UserClaims.UserId, "u1"), new(UserClaims.Role, "device")]),
        SigningCredentials = new SigningCredentials(key ?? Key, SecurityAlgorithms.HmacSha256),
    });

    [Fact]
    public async Task TheSameToken_IsValidEveryTime_WithAFreshIdentityEachTime()
    {
        var token = Token(DateTime.UtcNow.AddHours(1));

        var first = await _handler.ValidateTokenAsync(token, Parameters());
        // The app replaces the role on the identity it is given; the next request must not see that change.
        first.ClaimsIdentity.RemoveClaim(first.ClaimsIdentity.FindFirst(UserClaims.Role));
        var second = await _handler.ValidateTokenAsync(token, Parameters());

        Assert.True(first.IsValid);
        Assert.True(second.IsValid);
        Assert.Equal(1, _handler.Count);
        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.Equal("device", second.ClaimsIdentity.FindFirst(UserClaims.Role)?.Value);
        Assert.Equal("u1", second.ClaimsIdentity.FindFirst(UserClaims.UserId)?.Value);
        Assert.Equal(first.SecurityToken.ValidTo, second.SecurityToken.ValidTo);
    }

    [Fact]
    public async Task AChangedSignature_OrAnotherKey_IsRefused_EvenOnceTheRealTokenIsRemembered()
    {
        var token = Token(DateTime.UtcNow.AddHours(1));
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        var signature = token[(token.LastIndexOf('.') + 1)..];
        var changed = token[..(token.LastIndexOf('.') + 1)] + (signature[0] == 'A' ? 'B' : 'A') + signature[1..];
        var otherKey = Token(DateTime.UtcNow.AddHours(1), new SymmetricSecurityKey(RandomNumberGenerator.GetBytes(32)));

        Assert.False((await _handler.ValidateTokenAsync(changed, Parameters())).IsValid);
        Assert.False((await _handler.ValidateTokenAsync(otherKey, Parameters())).IsValid);
        Assert.Equal(1, _handler.Count);
    }

    [Fact]
    public async Task ARememberedToken_IsRefusedOnceItExpires()
    {
        var expires = DateTime.UtcNow.AddSeconds(2);
        var token = Token(expires);
        Assert.True((await _handler.ValidateTokenAsync(token, Parameters())).IsValid);

        // JWT expiry has whole-second precision: wait until past it on the clock the validation reads.
        var expiry = (await _handler.ValidateTokenAsync(token, Parameters())).SecurityToken.ValidTo;
        await Task.Delay(expiry - DateTime.UtcNow + TimeSpan.FromMilliseconds(200));

        var late = await _handler.ValidateTokenAsync(token, Parameters());
        Assert.False(late.IsValid);
        Assert.IsType<SecurityTokenExpiredException>(late.Exception);
        Assert.Equal(0, _handler.Count);
    }
}
