using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Auth;

/// <summary>Configuration section "RateLimits:Login".</summary>
public sealed class LoginLimits
{
    /// <summary>Sign-in attempts per client address per window, whatever the account (API and /login page together).</summary>
    public int PerClient { get; set; } = 30;
    /// <summary>Failed sign-ins per client and account per window.</summary>
    public int PerAccount { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Slows down password guessing without letting a stranger lock the owner out. Three counts over a sliding
/// window: every attempt per client address; failures per client and account; failures per account from all
/// clients. A client that guesses wrong is stopped on that account; an account under attack from many addresses
/// stops the addresses that already failed on it; but a client that has not failed on an account (its owner at
/// the control-room PC) always gets to try the right password. Per node: a cluster multiplies the limits by the
/// number of nodes, which still turns a brute force into a crawl.
/// </summary>
public sealed class LoginThrottle(IOptions<LoginLimits> options, TimeProvider time)
{
    /// <summary>An account attacked from many addresses: this many failures in a window stop every address that failed on it.</summary>
    public const int AccountUnderAttackFactor = 5;

    private readonly ConcurrentDictionary<string, SlidingWindow> _attemptsByClient = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlidingWindow> _failuresByClientAndAccount = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SlidingWindow> _failuresByAccount = new(StringComparer.Ordinal);
    private long _calls;

    private LoginLimits Limits => options.Value;

    /// <summary>Counts an attempt; returns how long to wait when it must be refused, null when it may go ahead.</summary>
    public TimeSpan? TryBegin(string client, string email)
    {
        var now = time.GetUtcNow();
        var account = Core.Users.User.Normalize(email);
        var pair = $"{client}\n{account}";
        if (Interlocked.Increment(ref _calls) % 1024 == 0)
        {
            Prune(now);
        }
        var clientFailures = Window(_failuresByClientAndAccount, pair);
        if (clientFailures.Count(now, Limits.Window) >= Limits.PerAccount)
        {
            return clientFailures.RetryAfter(now, Limits.Window);
        }
        var accountFailures = Window(_failuresByAccount, account);
        if (clientFailures.Count(now, Limits.Window) > 0 && accountFailures.Count(now, Limits.Window) >= Limits.PerAccount * AccountUnderAttackFactor)
        {
            return accountFailures.RetryAfter(now, Limits.Window);
        }
        var attempts = Window(_attemptsByClient, client);
        if (!attempts.TryAdd(now, Limits.Window, Limits.PerClient))
        {
            return attempts.RetryAfter(now, Limits.Window);
        }
        return null;
    }

    public void Failed(string client, string email)
    {
        var now = time.GetUtcNow();
        var account = Core.Users.User.Normalize(email);
        Window(_failuresByClientAndAccount, $"{client}\n{account}").Add(now);
        Window(_failuresByAccount, account).Add(now);
    }

    /// <summary>The right password: this client's failures on the account are forgiven.</summary>
    public void Succeeded(string client, string email) =>
        _failuresByClientAndAccount.TryRemove($"{client}\n{Core.Users.User.Normalize(email)}", out _);

    private static SlidingWindow Window(ConcurrentDictionary<string, SlidingWindow> windows, string key) => windows.GetOrAdd(key, _ => new SlidingWindow());

    private void Prune(DateTimeOffset now)
    {
        foreach (var windows in new[] { _attemptsByClient, _failuresByClientAndAccount, _failuresByAccount })
        {
            foreach (var (key, window) in windows)
            {
                if (window.Count(now, Limits.Window) == 0)
                {
                    windows.TryRemove(new(key, window));
                }
            }
        }
    }

    private sealed class SlidingWindow
    {
        private readonly Queue<DateTimeOffset> _times = new();

        public int Count(DateTimeOffset now, TimeSpan window)
        {
            lock (_times)
            {
                Expire(now, window);
                return _times.Count;
            }
        }

        public void Add(DateTimeOffset now)
        {
            lock (_times)
            {
                _times.Enqueue(now);
            }
        }

        public bool TryAdd(DateTimeOffset now, TimeSpan window, int limit)
        {
            lock (_times)
            {
                Expire(now, window);
                if (_times.Count >= limit)
                {
                    return false;
                }
                _times.Enqueue(now);
                return true;
            }
        }

        public TimeSpan RetryAfter(DateTimeOffset now, TimeSpan window)
        {
            lock (_times)
            {
                return _times.TryPeek(out var oldest) ? oldest + window - now : TimeSpan.Zero;
            }
        }

        private void Expire(DateTimeOffset now, TimeSpan window)
        {
            while (_times.TryPeek(out var oldest) && oldest <= now - window)
            {
                _times.Dequeue();
            }
        }
    }
}
