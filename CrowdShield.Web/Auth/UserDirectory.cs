using System.Collections.Concurrent;
using System.Security.Claims;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Auth;

/// <summary>
/// Resolves a signed-in principal to a <see cref="Caller"/> (role and event memberships), cached for a few
/// seconds so the ping path does not read the users table on every request, and dropped at once on every node
/// when any node changes the user.
/// </summary>
public sealed class UserDirectory
{
    public const string UserIdClaim = "sub";
    public const string CacheKind = "user";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);
    private readonly IDbContextFactory<CrowdShieldDb> _dbFactory;
    private readonly CacheInvalidation _invalidation;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<string, (Caller? Caller, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public UserDirectory(IDbContextFactory<CrowdShieldDb> dbFactory, CacheInvalidation invalidation, TimeProvider time)
    {
        _dbFactory = dbFactory;
        _invalidation = invalidation;
        _time = time;
        invalidation.Subscribe(CacheKind, userId => _cache.TryRemove(userId, out _));
        invalidation.SubscribeReset(_cache.Clear);
    }

    public async ValueTask<Caller?> FindAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        principal.FindFirst(UserIdClaim)?.Value is { } id ? await FindAsync(id, cancellationToken) : null;

    public async ValueTask<Caller?> FindAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var hit) && hit.Until > now)
        {
            return hit.Caller;
        }
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var caller = user is null ? null : ToCaller(user);
        _cache[userId] = (caller, now + CacheFor);
        return caller;
    }

    public void Invalidate(string userId) => _invalidation.Invalidate(CacheKind, userId);

    public static Caller ToCaller(User user) =>
        new(user.Id, user.Email, user.Name, user.Role, user.Memberships.Select(m => m.EventId).ToHashSet(StringComparer.Ordinal));
}
