using CrowdShield.Core.Users;
using Microsoft.AspNetCore.Components.Authorization;

namespace CrowdShield.Web.Auth;

/// <summary>
/// The signed-in user of a page, resolved afresh each time it acts (the directory caches for 15 seconds): a page
/// that has been open for hours acts with the user's authority of now, not of when it was opened.
/// </summary>
public sealed class CurrentUser(AuthenticationStateProvider authentication, UserDirectory users)
{
    /// <returns>Null when the user was deleted, disabled, or signed out or changed their password since signing in here.</returns>
    public async Task<Caller?> GetAsync(CancellationToken cancellationToken = default) =>
        await users.FindAsync((await authentication.GetAuthenticationStateAsync()).User, cancellationToken);
}
