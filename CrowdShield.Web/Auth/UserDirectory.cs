using System.Collections.Concurrent;
using System.Security.Claims;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Auth;

/// <summary>
/// Resolves a signed-in principal to a <see cref="Caller"/> (role and event memberships), cached for 15 seconds
/// so the ping path does not read the users table on every request, and dropped at once on every node when any
/// node changes the user. Every request, hub connection check and page check goes through here, so a change of
/// role, membership, password or a disabled or deleted user takes effect everywhere within those 15 seconds.
/// </summary>
public sealed class UserDirectory
{
    public const string CacheKind = "user";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);
    private readonly IDbContextFactory<CrowdShieldDb> _dbFactory;
    private readonly CacheInvalidation _invalidation;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (UserState? State, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public UserDirectory(IDbContextFactory<CrowdShieldDb> dbFactory, CacheInvalidation invalidation, TimeProvider time)
    {
        _dbFactory = dbFactory;
        _invalidation = invalidation;
        _time = time;
        invalidation.Subscribe(CacheKind, userId => _cache.TryRemove(userId, out _));
        invalidation.SubscribeReset(_cache.Clear);
    }

    /// <summary>
    /// The caller a token or cookie stands for: null when the user no longer exists, is disabled, or the credential
    /// was issued before the user's security stamp last changed (password change, sign-out, reset).
    /// </summary>
    public async ValueTask<Caller?> FindAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default)
    {
        if (principal.FindFirst(UserClaims.UserId)?.Value is not { } id || principal.FindFirst(UserClaims.Stamp)?.Value is not { } stamp)
        {
            return null;
        }
        var state = await StateAsync(id, cancellationToken);
        return state is { Disabled: false } && state.Stamp == stamp ? state.Caller : null;
    }

    /// <summary>The user as a caller, whatever credential is used; null when deleted or disabled.</summary>
    public async ValueTask<Caller?> FindAsync(string userId, CancellationToken cancellationToken = default) =>
        await StateAsync(userId, cancellationToken) is { Disabled: false } state ? state.Caller : null;

    private async ValueTask<UserState?> StateAsync(string userId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var hit) && hit.Until > now)
        {
            return hit.State;
        }
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var state = user is null ? null : new UserState(ToCaller(user), user.SecurityStamp, user.Disabled);
        _cache[userId] = (state, now + CacheFor);
        return state;
    }

    public void Invalidate(string userId) => _invalidation.Invalidate(CacheKind, userId);

    private sealed record UserState(Caller Caller, string Stamp, bool Disabled);

    public static Caller ToCaller(User user) =>
        new(user.Id, user.Email, user.Name, user.Role, user.Memberships.Select(m => m.EventId).ToHashSet(StringComparer.Ordinal));
}
