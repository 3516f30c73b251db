using System.Collections.Concurrent;
using System.Security.Claims;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Auth;

/// <summary>
/// Resolves a signed-in principal to a <see cref="Caller"/> (role and event memberships), cached for a few
/// seconds so the ping path does not read the users table on every request, and dropped at once when
/// this node changes the user.
/// </summary>
public sealed class UserDirectory(IDbContextFactory<CrowdShieldDb> dbFactory, TimeProvider time)
{
    public const string UserIdClaim = "sub";
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(15);
    private readonly ConcurrentDictionary<string, (Caller? Caller, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async ValueTask<Caller?> FindAsync(ClaimsPrincipal principal, CancellationToken cancellationToken = default) =>
        principal.FindFirst(UserIdClaim)?.Value is { } id ? await FindAsync(id, cancellationToken) : null;

    public async ValueTask<Caller?> FindAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_cache.TryGetValue(userId, out var hit) && hit.Until > now)
        {
            return hit.Caller;
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        var caller = user is null ? null : ToCaller(user);
        _cache[userId] = (caller, now + CacheFor);
        return caller;
    }

    public void Invalidate(string userId) => _cache.TryRemove(userId, out _);

    public static Caller ToCaller(User user) =>
        new(user.Id, user.Email, user.Name, user.Role, user.Memberships.Select(m => m.EventId).ToHashSet(StringComparer.Ordinal));
}
