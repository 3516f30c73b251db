using System.Security.Claims;
using CrowdShield.Core.Users;

namespace CrowdShield.Web.Auth;

/// <summary>
/// The claims that name a user, the same in an API token and a page cookie: the id (what every check resolves),
/// email and display name (for people reading logs and screens), role (for the authorization policies) and the
/// security stamp the credential was issued with.
/// </summary>
public static class UserClaims
{
    public const string UserId = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";
    public const string Stamp = "stamp";

    public static IEnumerable<Claim> Of(User user) =>
    [
        new(UserId, user.Id),
        new(Email, user.Email),
        new(Name, user.Name),
        new(Role, user.Role),
        new(Stamp, user.SecurityStamp),
    ];
}
