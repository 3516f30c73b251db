using System.Net.Mail;
using CrowdShield.Core;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Auth;

public sealed record UserRequest(string? Email, string? Password, string? Name, string? Role, IReadOnlyList<string?>? EventIds)
{
    public const int MinPassword = 8;

    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email, 254);
        if (Email is { Length: > 0 and <= 254 } && !MailAddress.TryCreate(Email, out _))
        {
            errors.Add("email", "'email' is not a valid email address.");
        }
        if (Password is null || Password.Length < MinPassword || Password.Length > 128)
        {
            errors.Add("password", $"'password' must be {MinPassword} to 128 characters.");
        }
        errors.Required("name", Name, 200);
        errors.OneOf("role", Role, Roles.All);
        for (var i = 0; EventIds is not null && i < EventIds.Count; i++)
        {
            errors.Required($"eventIds[{i}]", EventIds[i], 64);
        }
    }
}

/// <summary>The user object of the contract; never any password field.</summary>
public sealed record UserView(string Id, string Email, string Name, string Role, IReadOnlyList<string> EventIds, DateTimeOffset CreatedAt)
{
    public static UserView Of(User u) => new(u.Id, u.Email, u.Name, u.Role, [.. u.Memberships.Select(m => m.EventId).Order()], u.CreatedAt);
}

public enum CreateUserOutcome { Created, DuplicateEmail }

/// <summary>Users, their passwords (ASP.NET Core Identity's PBKDF2 hasher) and the bootstrap admin.</summary>
public sealed class UserAccounts(IDbContextFactory<CrowdShieldDb> dbFactory, UserDirectory directory, TimeProvider time, ILogger<UserAccounts> logger)
{
    private readonly PasswordHasher<User> _hasher = new();
    // Verifying against a real hash even for unknown emails keeps the response time from telling which emails exist.
    private readonly Lazy<string> _dummyHash = new(() => new PasswordHasher<User>().HashPassword(null!, Guid.NewGuid().ToString()));

    public async Task<(CreateUserOutcome, User?)> CreateAsync(UserRequest request, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var eventIds = (request.EventIds ?? []).Select(e => e!).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.Events.Where(e => eventIds.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken);
        var missing = eventIds.Except(known).ToList();
        if (missing.Count > 0)
        {
            var errors = new ValidationErrors();
            foreach (var id in missing)
            {
                errors.Add($"eventIds[{request.EventIds!.ToList().IndexOf(id)}]", $"There is no event '{id}'.");
            }
            throw new ValidationException(errors);
        }
        var normalized = User.Normalize(request.Email!);
        if (await db.Users.AnyAsync(u => u.NormalizedEmail == normalized, cancellationToken))
        {
            return (CreateUserOutcome.DuplicateEmail, null);
        }
        var user = new User
        {
            Id = Ids.New(), Email = request.Email!.Trim(), NormalizedEmail = normalized, Name = request.Name!.Trim(),
            Role = request.Role!, PasswordHash = "", CreatedAt = time.GetUtcNow(),
        };
        user.PasswordHash = _hasher.HashPassword(user, request.Password!);
        user.Memberships.AddRange(eventIds.Select(e => new EventMembership { UserId = user.Id, EventId = e }));
        db.Users.Add(user);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // Two admins creating the same email at once: the unique index decides, the loser gets a 409.
            await using var check = await dbFactory.CreateDbContextAsync(CancellationToken.None);
            if (await check.Users.AnyAsync(u => u.NormalizedEmail == normalized, CancellationToken.None))
            {
                return (CreateUserOutcome.DuplicateEmail, null);
            }
            throw;
        }
        return (CreateUserOutcome.Created, user);
    }

    public async Task<IReadOnlyList<User>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Include(u => u.Memberships).OrderBy(u => u.CreatedAt).ToListAsync(cancellationToken);
    }

    public async Task<User?> FindAsync(string userId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Users.AsNoTracking().Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
    }

    /// <returns>The user when the password is right; null otherwise.</returns>
    public async Task<User?> VerifyAsync(string email, string password, CancellationToken cancellationToken = default)
    {
        var normalized = User.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            _hasher.VerifyHashedPassword(null!, _dummyHash.Value, password);
            return null;
        }
        var result = _hasher.VerifyHashedPassword(user, user.PasswordHash, password);
        if (result == PasswordVerificationResult.Failed)
        {
            return null;
        }
        if (result == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
            await db.SaveChangesAsync(cancellationToken);
        }
        return user;
    }

    /// <summary>Creates the configured admin, or resets its password and role, so a fresh install can always be entered.</summary>
    public async Task EnsureUserAsync(string email, string password, string name, string role, IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        var normalized = User.Normalize(email);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.NormalizedEmail == normalized, cancellationToken);
        if (user is null)
        {
            user = new User
            {
                Id = Ids.New(), Email = email.Trim(), NormalizedEmail = normalized, Name = name, Role = role, PasswordHash = "",
                CreatedAt = time.GetUtcNow(),
            };
            db.Users.Add(user);
            logger.LogInformation("Created {Role} user {Email}", role, email);
        }
        user.Role = role;
        if (_hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            user.PasswordHash = _hasher.HashPassword(user, password);
        }
        foreach (var eventId in eventIds.Where(id => user.Memberships.All(m => m.EventId != id)))
        {
            user.Memberships.Add(new EventMembership { UserId = user.Id, EventId = eventId });
        }
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate(user.Id);
    }
}
