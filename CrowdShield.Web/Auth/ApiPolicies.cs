using CrowdShield.Core.Users;

namespace CrowdShield.Web.Auth;

/// <summary>The role table of the contract, as authorization policies for the JWT-authenticated API.</summary>
public static class ApiPolicies
{
    public const string AnyUser = "api:any";
    /// <summary>Reading an event's data: everyone but devices, which only send.</summary>
    public const string Read = "api:read";
    public const string Operate = "api:operate";
    public const string Admin = "api:admin";
    public const string SendCounts = "api:cctv";
    public const string SendPings = "api:pings";
    public const string FileReports = "api:reports";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [AnyUser] = [.. Roles.All],
        [Read] = [Roles.Admin, Roles.Operator, Roles.Field, Roles.Viewer],
        [Operate] = [Roles.Admin, Roles.Operator],
        [Admin] = [Roles.Admin],
        [SendCounts] = [Roles.Admin, Roles.Operator, Roles.Device],
        [SendPings] = [Roles.Admin, Roles.Operator, Roles.Field, Roles.Device],
        [FileReports] = [Roles.Admin, Roles.Operator, Roles.Field],
    };
}
