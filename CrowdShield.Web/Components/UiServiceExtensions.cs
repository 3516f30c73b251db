using CrowdShield.Web.Api;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using MudBlazor;
using MudBlazor.Services;

namespace CrowdShield.Web.Components;

public static class UiServiceExtensions
{
    public static IHostApplicationBuilder AddCrowdShieldUi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddRazorComponents().AddInteractiveServerComponents().AddHubOptions(hub =>
        {
            // Pairs with wwwroot/js/start.js: a keep-alive every 2 s lets the page call a connection dead after 4 s
            // of silence; a page silent for 10 s is let go here.
            hub.KeepAliveInterval = TimeSpan.FromSeconds(2);
            hub.ClientTimeoutInterval = TimeSpan.FromSeconds(10);
        });
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddScoped<CurrentUser>();
        // Toasts at the bottom: the top right holds the connection status, which must stay visible.
        builder.Services.AddMudServices(config => config.SnackbarConfiguration.PositionClass = Defaults.Classes.Position.BottomRight);
        builder.Services.Configure<Live.MapUiOptions>(builder.Configuration.GetSection("MapUi"));
        builder.Services.AddSingleton<CircuitCounter>();
        builder.Services.AddSingleton<Microsoft.AspNetCore.Components.Server.Circuits.CircuitHandler>(sp => sp.GetRequiredService<CircuitCounter>());
        return builder;
    }

    public static WebApplication MapCrowdShieldUi(this WebApplication app)
    {
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        // A page endpoint (the browser's cookie, an antiforgery form): not part of the API a client codes against.
        app.MapPost("/account/logout", (Delegate)SignOut).RequireAuthorization().ExcludeFromDescription();
        app.MapShiftLogDownloads();
        return app;
    }

    /// <summary>Signs out everywhere: the user's security stamp changes, so every other cookie and token of theirs stops working too.</summary>
    private static async Task<IResult> SignOut(HttpContext context, UserDirectory users, UserAccounts accounts)
    {
        if (await users.FindAsync(context.User) is { } caller)
        {
            await accounts.SignOutEverywhereAsync(caller, context.RequestAborted);
        }
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.LocalRedirect("/login");
    }

    /// <summary>Claims of the page cookie: the same as the API token's, so both resolve through <see cref="UserDirectory"/>.</summary>
    public static System.Security.Claims.ClaimsPrincipal CookiePrincipal(Core.Users.User user) => new(new System.Security.Claims.ClaimsIdentity(
        UserClaims.Of(user), CookieAuthenticationDefaults.AuthenticationScheme, UserClaims.Name, UserClaims.Role));
}
