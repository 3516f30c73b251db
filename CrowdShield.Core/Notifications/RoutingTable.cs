using CrowdShield.Core.Alerts;
using CrowdShield.Core.Audit;
using CrowdShield.Core.Data;
using CrowdShield.Core.Events;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Core.Notifications;

/// <summary>One line of the routing table as the API and the editor send it.</summary>
public sealed record RoutingRuleInput(int? Level, string? MinSeverity, string? ZoneId, string? AlertType, string? Channel, string? Target, string? Secret);

/// <summary>A line as shown back: whether a secret is set, never the secret.</summary>
public sealed record RoutingRuleView(long Id, int Level, string MinSeverity, string? ZoneId, string? AlertType, string Channel, string Target, bool Signed)
{
    public static RoutingRuleView Of(NotificationRule r) => new(r.Id, r.Level, r.MinSeverity, r.ZoneId, r.AlertType, r.Channel, r.Target, r.Secret is not null);
}

/// <summary>A field tablet's push subscription as the browser's PushManager gives it.</summary>
public sealed record PushRegistrationInput(string? Endpoint, string? P256dh, string? Auth);

/// <summary>
/// Each event's routing table (which alerts go to which channel at which escalation level), edited by admins
/// and audited; and the tablets registered for Web Push.
/// </summary>
public sealed class RoutingTable(IDbContextFactory<CrowdShieldDb> dbFactory, EventDirectory events, AuditLog audit, TimeProvider time)
{
    public const int MaxLevel = 5;
    public const int MaxRules = 50;
    private static readonly IReadOnlyList<string> Severities = [AlertSeverity.Warning, AlertSeverity.Critical];
    private static readonly IReadOnlyList<string> Types =
        [AlertTypes.Overcrowding, AlertTypes.Density, AlertTypes.CameraOffline, AlertTypes.Forecast];

    public async Task<IReadOnlyList<NotificationRule>> ListAsync(string eventId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.NotificationRules.AsNoTracking().Where(r => r.EventId == eventId)
            .OrderBy(r => r.Level).ThenBy(r => r.Id).ToListAsync(cancellationToken);
    }

    /// <summary>Replaces the event's table. A line sent without a secret keeps the secret of the same webhook before.</summary>
    /// <exception cref="ValidationException">A line is invalid (fields <c>rules[i].…</c>); nothing is changed.</exception>
    /// <exception cref="ForbiddenException">The caller is not an administrator.</exception>
    public async Task<IReadOnlyList<NotificationRule>> ReplaceAsync(
        EventDefinition definition, IReadOnlyList<RoutingRuleInput>? input, Caller caller, CancellationToken cancellationToken = default)
    {
        if (caller.Role != Roles.Admin)
        {
            throw new ForbiddenException("Only administrators change where alerts are sent.");
        }
        var errors = new ValidationErrors();
        if (input is null)
        {
            errors.Add("rules", "'rules' is required (an empty list clears the table).");
        }
        else if (input.Count > MaxRules)
        {
            errors.Add("rules", $"'rules' may hold at most {MaxRules} lines.");
        }
        for (var i = 0; input is not null && i < input.Count; i++)
        {
            Validate(input[i], $"rules[{i}]", definition, errors);
        }
        if (!errors.IsValid)
        {
            throw new ValidationException(errors);
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var before = await db.NotificationRules.Where(r => r.EventId == definition.Id).ToListAsync(cancellationToken);
        var rules = input!.Select(r => new NotificationRule
        {
            EventId = definition.Id, Level = r.Level ?? 1, MinSeverity = r.MinSeverity!, ZoneId = Blank(r.ZoneId), AlertType = Blank(r.AlertType),
            Channel = r.Channel!, Target = r.Target!.Trim(),
            Secret = Blank(r.Secret) ?? before.FirstOrDefault(b => b.Channel == Channels.Webhook && b.Target == r.Target!.Trim())?.Secret,
        }).ToList();
        db.NotificationRules.RemoveRange(before);
        db.NotificationRules.AddRange(rules);
        await db.SaveChangesAsync(cancellationToken);
        await audit.RecordAsync(caller, AuditActions.RoutingChanged, $"event:{definition.Id}",
            string.Join("; ", rules.Select(r => $"L{r.Level} {r.MinSeverity}+{(r.AlertType is null ? "" : $" {r.AlertType}")}{(r.ZoneId is null ? "" : $" in {r.ZoneId}")} → {r.Channel} {r.Target}")),
            definition.Id, CancellationToken.None);
        return rules;
    }

    private static void Validate(RoutingRuleInput rule, string at, EventDefinition definition, ValidationErrors errors)
    {
        if (rule.Level is < 1 or > MaxLevel)
        {
            errors.Add($"{at}.level", $"'level' must be between 1 (when raised) and {MaxLevel}.");
        }
        errors.OneOf($"{at}.minSeverity", rule.MinSeverity, Severities);
        if (Blank(rule.ZoneId) is { } zoneId && definition.FindZone(zoneId) is null)
        {
            errors.Add($"{at}.zoneId", $"Event {definition.Id} has no zone '{zoneId}'.");
        }
        errors.OneOf($"{at}.alertType", Blank(rule.AlertType), Types, required: false);
        errors.OneOf($"{at}.channel", rule.Channel, Channels.All);
        var target = rule.Target?.Trim();
        if (string.IsNullOrEmpty(target))
        {
            errors.Add($"{at}.target", "'target' is required: a webhook URL, an e-mail address or, for push, a role.");
            return;
        }
        switch (rule.Channel)
        {
            case Channels.Webhook when !IsWebUrl(target):
                errors.Add($"{at}.target", "A webhook 'target' must be an absolute http or https URL.");
                break;
            case Channels.Email when !IsEmail(target):
                errors.Add($"{at}.target", "An e-mail 'target' must be one address, like duty.manager@venue.example.");
                break;
            case Channels.Push when !Routing.PushTargets.Contains(target):
                errors.Add($"{at}.target", $"A push 'target' must be one of {string.Join(", ", Routing.PushTargets)}.");
                break;
        }
        errors.Optional($"{at}.target", target, 2000);
        errors.Optional($"{at}.secret", rule.Secret, 200);
    }

    public static bool IsWebUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static bool IsEmail(string value) =>
        value.Length <= 254 && value.IndexOf('@') is var a and > 0 && a == value.LastIndexOf('@') && a < value.Length - 1
        && !value.Any(char.IsWhiteSpace) && value[(a + 1)..].Contains('.');

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Registers (or renews) the caller's device for push alerts of the event.</summary>
    /// <exception cref="ValidationException">The subscription is incomplete or its endpoint is not an https URL.</exception>
    public async Task RegisterPushAsync(string eventId, PushRegistrationInput input, Caller caller, CancellationToken cancellationToken = default)
    {
        var errors = new ValidationErrors();
        errors.Required("endpoint", input.Endpoint, 1000);
        errors.Required("p256dh", input.P256dh, 200);
        errors.Required("auth", input.Auth, 100);
        // Browsers' push services are https; plain http only on this machine (a test's push service).
        if (input.Endpoint is { } endpoint && !(Uri.TryCreate(endpoint, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttps || (uri.Scheme == Uri.UriSchemeHttp && uri.IsLoopback))))
        {
            errors.Add("endpoint", "'endpoint' must be the https URL of a push service.");
        }
        if (!errors.IsValid)
        {
            throw new ValidationException(errors);
        }
        if (await events.FindAsync(eventId, cancellationToken) is null || !caller.MayRead(eventId))
        {
            throw new ForbiddenException($"{caller.Email} may not receive alerts of event {eventId}.");
        }
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.PushRegistrations.Where(p => p.Endpoint == input.Endpoint).ExecuteDeleteAsync(cancellationToken);
        db.PushRegistrations.Add(new PushRegistration
        {
            UserId = caller.UserId, EventId = eventId, Endpoint = input.Endpoint!, P256dh = input.P256dh!, Auth = input.Auth!, CreatedAt = time.GetUtcNow(),
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The push service said the subscription is gone (404/410): the device is forgotten.</summary>
    public async Task ForgetPushAsync(long registrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await db.PushRegistrations.Where(p => p.Id == registrationId).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<PushRegistration?> FindPushAsync(long registrationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.PushRegistrations.AsNoTracking().FirstOrDefaultAsync(p => p.Id == registrationId, cancellationToken);
    }
}
