using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;

namespace CrowdShield.Web.Hosting;

/// <summary>
/// Headers every response carries. The Content-Security-Policy allows scripts from this origin only (no inline
/// script, no eval): text a user typed can never run as script, even if some screen rendered it as HTML by mistake.
/// Styles may be inline (MudBlazor and Leaflet position elements with style attributes). Map tiles, when
/// configured, may come from the tile server's origin.
/// </summary>
public static class SecurityHeaders
{
    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        var tiles = app.Services.GetRequiredService<IOptions<Components.Live.MapUiOptions>>().Value.TileUrl is { Length: > 0 } url
            && Uri.TryCreate(url.Replace("{", "").Replace("}", "").Replace("$", ""), UriKind.Absolute, out var tileUri)
                ? $" {tileUri.Scheme}://{tileUri.Host}{(tileUri.IsDefaultPort ? "" : $":{tileUri.Port}")}"
                : "";
        var strict = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
            + $"img-src 'self' data: blob:{tiles}; font-src 'self' data:; connect-src 'self'; media-src 'self' data: blob:; "
            + "worker-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";
        // The API reference page (Scalar) configures itself with an inline script; it shows no user data.
        var reference = "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            + "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'none'";
        app.Use((context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = context.Request.Path.StartsWithSegments("/api/reference") ? reference : strict;
            headers.XContentTypeOptions = "nosniff";
            headers.XFrameOptions = "DENY";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Permissions-Policy"] = "geolocation=(self), camera=(), microphone=(), payment=(), usb=()";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            return next(context);
        });
        return app;
    }

    /// <summary>
    /// Behind a reverse proxy (TLS terminated at nginx), the client's address and scheme come from X-Forwarded-For
    /// and -Proto, but only from the proxies configured in ForwardedHeaders:KnownProxies (addresses) or
    /// ForwardedHeaders:KnownNetworks (CIDR): anyone else could claim any address and dodge the per-client limits.
    /// </summary>
    public static WebApplication UseConfiguredForwardedHeaders(this WebApplication app)
    {
        var section = app.Configuration.GetSection("ForwardedHeaders");
        var proxies = Split(section["KnownProxies"]);
        var networks = Split(section["KnownNetworks"]);
        if (proxies.Length == 0 && networks.Length == 0)
        {
            return app;
        }
        var options = new ForwardedHeadersOptions { ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto };
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        foreach (var proxy in proxies)
        {
            options.KnownProxies.Add(System.Net.IPAddress.TryParse(proxy, out var address)
                ? address
                : throw new InvalidOperationException($"ForwardedHeaders:KnownProxies has '{proxy}', which is not an IP address."));
        }
        foreach (var network in networks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.TryParse(network, out var parsed)
                ? parsed
                : throw new InvalidOperationException($"ForwardedHeaders:KnownNetworks has '{network}', which is not a CIDR network like 10.0.0.0/8."));
        }
        app.UseForwardedHeaders(options);
        return app;
    }

    private static string[] Split(string? value) =>
        value?.Split([',', ';', ' '], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
}
