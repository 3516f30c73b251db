using System.Xml.Linq;
using CrowdShield.Core.Cluster;
using CrowdShield.Core.Data;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.EntityFrameworkCore;

namespace CrowdShield.Web.Data;

/// <summary>
/// The Data Protection key ring in the application database: every node reads the same keys, so a cookie, an
/// antiforgery token or a circuit issued by one node is accepted by every node, and keys survive restarts.
/// </summary>
internal sealed class DatabaseKeyRepository(IDbContextFactory<CrowdShieldDb> dbFactory) : IXmlRepository
{
    // Data Protection calls these synchronously, rarely (at start and when a key is created or rotated).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var db = dbFactory.CreateDbContext();
        return [.. db.ProtectionKeys.AsNoTracking().OrderBy(k => k.Id).Select(k => k.Xml).AsEnumerable().Select(XElement.Parse)];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        using var db = dbFactory.CreateDbContext();
        db.ProtectionKeys.Add(new ProtectionKey { FriendlyName = friendlyName, Xml = element.ToString(SaveOptions.DisableFormatting) });
        db.SaveChanges();
    }
}
