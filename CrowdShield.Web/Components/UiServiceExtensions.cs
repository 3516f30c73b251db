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
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddCascadingAuthenticationState();
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
        app.MapPost("/account/logout", (Delegate)SignOut).RequireAuthorization();
        return app;
    }

    private static async Task<IResult> SignOut(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.LocalRedirect("/login");
    }

    /// <summary>Claims of the page cookie: the same user as the API token, so both resolve through <see cref="UserDirectory"/>.</summary>
    public static System.Security.Claims.ClaimsPrincipal CookiePrincipal(Core.Users.User user) => new(new System.Security.Claims.ClaimsIdentity(
        [
            new(UserDirectory.UserIdClaim, user.Id),
            new("email", user.Email),
            new("name", user.Name),
            new("role", user.Role),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme, "name", "role"));
}
