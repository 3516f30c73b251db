using CrowdShield.Core.Users;

namespace CrowdShield.Web.Auth;

/// <summary>
/// The caller of a request, resolved once during authentication (role and memberships fresh from the user directory)
/// and kept on the request for endpoints and the hub.
/// </summary>
public static class RequestCaller
{
    public static void SetCaller(this HttpContext context, Caller caller) => context.Items[typeof(Caller)] = caller;

    /// <summary>The caller, or null when authentication did not resolve one.</summary>
    public static Caller? FindCaller(this HttpContext context) => context.Items[typeof(Caller)] as Caller;

    /// <summary>The caller of an endpoint that requires one.</summary>
    public static Caller Caller(this HttpContext context) =>
        context.FindCaller() ?? throw new InvalidOperationException("No authenticated caller on this request.");
}
