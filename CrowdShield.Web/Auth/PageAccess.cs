using CrowdShield.Core.Users;

namespace CrowdShield.Web.Auth;

/// <summary>The pages of an event and who may open them: the one place for it (policies, links, open-page checks).</summary>
public static class PageAccess
{
    /// <summary>Policy names of the pages, for <c>[Authorize(Policy = …)]</c>.</summary>
    public const string CommandCenter = "page:command-center";
    public const string Field = "page:field";
    public const string Kiosk = "page:kiosk";
    public const string Log = "page:log";
    public const string Admin = "page:admin";
    public const string Zones = "page:zones";
    public const string Notifications = "page:notifications";

    public static readonly IReadOnlyDictionary<string, string[]> RolesOf = new Dictionary<string, string[]>
    {
        [CommandCenter] = [Roles.Admin, Roles.Operator],
        // The tablet view: field staff, and operators and admins who stand in for them.
        [Field] = [Roles.Admin, Roles.Operator, Roles.Field],
        // The wall display: anyone who may read the event; devices only send.
        [Kiosk] = [Roles.Admin, Roles.Operator, Roles.Field, Roles.Viewer],
        [Log] = [Roles.Admin, Roles.Operator],
        [Admin] = [Roles.Admin],
        // Zones change what every screen shows and what alerts on: administrators only, as on the API.
        [Zones] = [Roles.Admin],
        // Where alerts go (webhook URLs, addresses) and the deliveries that failed: administrators only.
        [Notifications] = [Roles.Admin],
    };

    /// <summary>Whether <paramref name="caller"/> may open <paramref name="page"/> of event <paramref name="eventId"/> now.</summary>
    public static bool MayOpen(this Caller caller, string page, string eventId) => RolesOf[page].Contains(caller.Role) && caller.CanSee(eventId);

    public static bool MayOpen(this Caller caller, string page) => RolesOf[page].Contains(caller.Role);
}
