namespace CrowdShield.Core;

/// <summary>Opaque, time-ordered string ids that are the same on every database provider.</summary>
public static class Ids
{
    public static string New() => Guid.CreateVersion7().ToString("N");
}
