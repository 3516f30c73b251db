using System.Net.Mail;
using CrowdShield.Core;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Auth;

public sealed record UserRequest(string? Email, string? Password, string? Name, string? Role, IReadOnlyList<string?>? EventIds)
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email, 254);
        if (Email is { Length: > 0 and <= 254 } && !MailAddress.TryCreate(Email, out _))
        {
            errors.Add("email", "'email' is not a valid email address.");
        }
        PasswordPolicy.Validate(errors, "password", Password, Email, Name);
        errors.Required("name", Name, 200);
        errors.OneOf("role", Role, Roles.All);
        UserPatch.ValidateEventIds(errors, EventIds);
    }
}

/// <summary>The body of PATCH /users/{id}: only what is given changes.</summary>
public sealed record UserPatch(string? Name, string? Role, IReadOnlyList<string?>? EventIds, bool? Disabled, string? Password)
{
    public void Validate(ValidationErrors errors, string email)
    {
        if (Name is not null)
        {
            errors.Required("name", Name, 200);
        }
        if (Role is not null)
        {
            errors.OneOf("role", Role, Roles.All);
        }
        if (Password is not null)
        {
            PasswordPolicy.Validate(errors, "password", Password, email, Name);
        }
        ValidateEventIds(errors, EventIds);
    }

    public static void ValidateEventIds(ValidationErrors errors, IReadOnlyList<string?>? eventIds)
    {
        for (var i = 0; eventIds is not null && i < eventIds.Count; i++)
        {
            errors.Required($"eventIds[{i}]", eventIds[i], 64);
        }
    }
}

public sealed record PasswordChange(string? CurrentPassword, string? NewPassword);

/// <summary>The user object of the contract; never any password field.</summary>
public sealed record UserView(string Id, string Email, string Name, string Role, IReadOnlyList<string> EventIds, bool Disabled, DateTimeOffset CreatedAt)
{
    public static UserView Of(User u) => new(u.Id, u.Email, u.Name, u.Role, [.. u.Memberships.Select(m => m.EventId).Order()], u.Disabled, u.CreatedAt);
}

/// <summary>What a sign-in came to: the user (right password, enabled), or how long to wait, or neither (wrong).</summary>
public sealed record SignInOutcome(User? User, TimeSpan? RetryAfter);

public enum UserChangeOutcome { Changed, NotFound, DuplicateEmail, LastAdmin }

public enum CreateUserOutcome { Created, DuplicateEmail }

/// <summary>
/// Users, their passwords (ASP.NET Core Identity's PBKDF2 hasher), sign-in and sign-out, and the bootstrap admin.
/// Every change is audited and reaches every node's <see cref="UserDirectory"/> at once.
/// </summary>
public sealed class UserAccounts(IDbContextFactory<CrowdShieldDb> dbFactory, UserDirectory directory, AuditLog audit, TimeProvider time, ILogger<UserAccounts> logger)
{
    private readonly PasswordHasher<User> _hasher = new();
    // Verifying against a real hash even for unknown emails keeps the response time from telling which emails exist.
    private readonly Lazy<string> _dummyHash = new(() => new PasswordHasher<User>().HashPassword(null!, Guid.NewGuid().ToString()));

    public async Task<(CreateUserOutcome, User?)> CreateAsync(UserRequest request, Caller actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var eventIds = await KnownEventIdsAsync(db, request.EventIds, cancellationToken);
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
        await audit.RecordAsync(actor, AuditActions.UserCreated, $"user:{user.Id}",
            $"{user.Email} ({user.Name}), {user.Role}, events: {string.Join(", ", eventIds)}", cancellationToken: CancellationToken.None);
        return (CreateUserOutcome.Created, user);
    }

    /// <summary>
    /// Changes what the patch gives. Disabling or a new password also ends every session and token of the user;
    /// a new role or membership takes effect on their open sessions within seconds (see UserDirectory).
    /// </summary>
    public async Task<(UserChangeOutcome, User?)> UpdateAsync(string userId, UserPatch patch, Caller actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return (UserChangeOutcome.NotFound, null);
        }
        var changes = new List<string>();
        if (patch.Name is { } name && name.Trim() != user.Name)
        {
            changes.Add($"name '{user.Name}' → '{name.Trim()}'");
            user.Name = name.Trim();
        }
        var staysAdmin = (patch.Role ?? user.Role) == Roles.Admin && !(patch.Disabled ?? user.Disabled);
        if (user.Role == Roles.Admin && !user.Disabled && !staysAdmin && !await OtherAdminExistsAsync(db, user.Id, cancellationToken))
        {
            return (UserChangeOutcome.LastAdmin, user);
        }
        if (patch.Role is { } role && role != user.Role)
        {
            changes.Add($"role {user.Role} → {role}");
            user.Role = role;
        }
        if (patch.EventIds is not null)
        {
            var eventIds = await KnownEventIdsAsync(db, patch.EventIds, cancellationToken);
            var before = user.Memberships.Select(m => m.EventId).Order().ToList();
            if (!before.SequenceEqual(eventIds.Order()))
            {
                changes.Add($"events [{string.Join(", ", before)}] → [{string.Join(", ", eventIds.Order())}]");
                user.Memberships.RemoveAll(m => !eventIds.Contains(m.EventId));
                user.Memberships.AddRange(eventIds.Where(e => before.All(b => b != e)).Select(e => new EventMembership { UserId = user.Id, EventId = e }));
            }
        }
        if (patch.Disabled is { } disabled && disabled != user.Disabled)
        {
            changes.Add(disabled ? "disabled" : "enabled");
            user.Disabled = disabled;
            user.SecurityStamp = User.NewStamp();
        }
        if (patch.Password is { } password)
        {
            changes.Add("password reset");
            user.PasswordHash = _hasher.HashPassword(user, password);
            user.SecurityStamp = User.NewStamp();
        }
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate(user.Id);
        if (changes.Count > 0)
        {
            await audit.RecordAsync(actor, AuditActions.UserChanged, $"user:{user.Id}", $"{user.Email}: {string.Join("; ", changes)}",
                cancellationToken: CancellationToken.None);
        }
        return (UserChangeOutcome.Changed, user);
    }

    /// <summary>Deletes the user; every session and token of theirs stops working. The last admin stays.</summary>
    public async Task<UserChangeOutcome> DeleteAsync(string userId, Caller actor, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.Include(u => u.Memberships).FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return UserChangeOutcome.NotFound;
        }
        if (user.Role == Roles.Admin && !user.Disabled && !await OtherAdminExistsAsync(db, user.Id, cancellationToken))
        {
            return UserChangeOutcome.LastAdmin;
        }
        db.Users.Remove(user);
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate(user.Id);
        await audit.RecordAsync(actor, AuditActions.UserDeleted, $"user:{user.Id}", $"{user.Email} ({user.Name}, {user.Role})",
            cancellationToken: CancellationToken.None);
        return UserChangeOutcome.Changed;
    }

    /// <summary>The user's own password change: the current password must be right; every earlier token and cookie stops working.</summary>
    public async Task<bool> ChangePasswordAsync(Caller caller, string currentPassword, string newPassword, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.FirstOrDefaultAsync(u => u.Id == caller.UserId, cancellationToken);
        if (user is null || _hasher.VerifyHashedPassword(user, user.PasswordHash, currentPassword) == PasswordVerificationResult.Failed)
        {
            return false;
        }
        user.PasswordHash = _hasher.HashPassword(user, newPassword);
        user.SecurityStamp = User.NewStamp();
        await db.SaveChangesAsync(cancellationToken);
        directory.Invalidate(user.Id);
        await audit.RecordAsync(caller, AuditActions.PasswordChanged, $"user:{user.Id}", "own password changed; earlier sessions ended",
            cancellationToken: CancellationToken.None);
        return true;
    }

    /// <summary>Signing out ends every session and token of the user (a per-user stamp; sessions are not tracked one by one).</summary>
    public async Task SignOutEverywhereAsync(Caller caller, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.Users.Where(u => u.Id == caller.UserId).ExecuteUpdateAsync(s => s.SetProperty(u => u.SecurityStamp, User.NewStamp()), cancellationToken);
        directory.Invalidate(caller.UserId);
        await audit.RecordAsync(caller, AuditActions.SignOut, $"user:{caller.UserId}", "signed out; every session and token ended",
            cancellationToken: CancellationToken.None);
    }

    /// <summary>
    /// A sign-in attempt from <paramref name="client"/>, throttled (see <see cref="LoginThrottle"/>) and audited,
    /// whether it comes through the API or the sign-in page.
    /// </summary>
    public async Task<SignInOutcome> SignInAsync(string email, string password, string client, LoginThrottle throttle, CancellationToken cancellationToken = default)
    {
        if (throttle.TryBegin(client, email) is { } wait)
        {
            await audit.RecordAsync(email, null, AuditActions.SignInFailed, $"account:{email}", $"refused: too many attempts from {client}",
                cancellationToken: CancellationToken.None);
            return new SignInOutcome(null, wait);
        }
        var user = await VerifyAsync(email, password, cancellationToken);
        if (user is null || user.Disabled)
        {
            throttle.Failed(client, email);
            await audit.RecordAsync(email, user?.Id, AuditActions.SignInFailed, $"account:{email}",
                user is null ? $"wrong email or password from {client}" : $"account disabled, from {client}", cancellationToken: CancellationToken.None);
            return new SignInOutcome(null, null);
        }
        throttle.Succeeded(client, email);
        await audit.RecordAsync(user.Email, user.Id, AuditActions.SignIn, $"user:{user.Id}", $"from {client}", cancellationToken: CancellationToken.None);
        return new SignInOutcome(user, null);
    }

    private static async Task<bool> OtherAdminExistsAsync(CrowdShieldDb db, string userId, CancellationToken cancellationToken) =>
        await db.Users.AnyAsync(u => u.Id != userId && u.Role == Roles.Admin && !u.Disabled, cancellationToken);

    private static async Task<List<string>> KnownEventIdsAsync(CrowdShieldDb db, IReadOnlyList<string?>? requested, CancellationToken cancellationToken)
    {
        var eventIds = (requested ?? []).Select(e => e!).Distinct(StringComparer.Ordinal).ToList();
        var known = await db.Events.Where(e => eventIds.Contains(e.Id)).Select(e => e.Id).ToListAsync(cancellationToken);
        var missing = eventIds.Except(known).ToList();
        if (missing.Count > 0)
        {
            var errors = new ValidationErrors();
            foreach (var id in missing)
            {
                errors.Add($"eventIds[{requested!.ToList().IndexOf(id)}]", $"There is no event '{id}'.");
            }
            throw new ValidationException(errors);
        }
        return eventIds;
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

    /// <returns>The user when the password is right (disabled or not); null otherwise.</returns>
    private async Task<User?> VerifyAsync(string email, string password, CancellationToken cancellationToken = default)
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
