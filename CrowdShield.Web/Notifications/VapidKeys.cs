using System.Security.Cryptography;
using CrowdShield.Core.Data;
using CrowdShield.Core.Notifications;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Notifications;

/// <summary>
/// The VAPID key pair that identifies this server to push services: from Notifications:Push when configured,
/// otherwise made once (P-256) and kept in the database, so every node signs alike and tablets stay subscribed
/// across restarts.
/// </summary>
public sealed class VapidKeys(IDbContextFactory<CrowdShieldDb> dbFactory, IOptions<NotificationOptions> options)
{
    private const string Setting = "vapid";
    private (string Public, string Private)? _keys;

    public async Task<(string PublicKey, string PrivateKey, string Subject)> GetAsync(CancellationToken cancellationToken = default)
    {
        var push = options.Value.Push;
        if (!string.IsNullOrEmpty(push.PublicKey) && !string.IsNullOrEmpty(push.PrivateKey))
        {
            return (push.PublicKey, push.PrivateKey, push.Subject);
        }
        _keys ??= await LoadOrCreateAsync(cancellationToken);
        return (_keys.Value.Public, _keys.Value.Private, push.Subject);
    }

    private async Task<(string, string)> LoadOrCreateAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await db.Settings.AsNoTracking().FirstOrDefaultAsync(s => s.Name == Setting, cancellationToken) is { } stored)
        {
            return Split(stored.Value);
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var p = key.ExportParameters(includePrivateParameters: true);
        // The browser wants the uncompressed point (0x04 ‖ X ‖ Y); the private key is the scalar D; both base64url.
        var publicKey = Base64Url([0x04, .. p.Q.X!, .. p.Q.Y!]);
        var privateKey = Base64Url(p.D!);
        db.Settings.Add(new Setting { Name = Setting, Value = $"{publicKey} {privateKey}" });
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            return (publicKey, privateKey);
        }
        catch (DbUpdateException)
        {
            // Another node made its pair at the same moment: use the one that was stored.
            await using var again = await dbFactory.CreateDbContextAsync(cancellationToken);
            return Split((await again.Settings.AsNoTracking().FirstAsync(s => s.Name == Setting, cancellationToken)).Value);
        }
    }

    private static (string, string) Split(string value) => value.Split(' ') is [var publicKey, var privateKey] ? (publicKey, privateKey)
        : throw new InvalidOperationException("The stored VAPID keys are malformed.");

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
