namespace CrowdShield.Core.Users;

/// <summary>The five roles of the contract.</summary>
public static class Roles
{
    public const string Admin = "admin";
    public const string Operator = "operator";
    public const string Field = "field";
    public const string Viewer = "viewer";
    public const string Device = "device";

    public static readonly IReadOnlyList<string> All = [Admin, Operator, Field, Viewer, Device];

    public static bool IsValid(string? role) => role is not null && All.Contains(role);
}
