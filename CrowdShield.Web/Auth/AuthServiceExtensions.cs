using System.Threading.RateLimiting;
using CrowdShield.Web.Api;
using CrowdShield.Web.Data;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CrowdShield.Web.Auth;

public static class AuthServiceExtensions
{
    public const string LoginRateLimit = "login";
    public const string HubPath = "/hubs/events";
    private const string StorageUnavailableKey = "crowdshield:storage-unavailable";

    /// <summary>JWT bearer for the API and the hub, cookies for the pages, the role policies and login rate limits.</summary>
    public static IHostApplicationBuilder AddCrowdShieldAuth(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        var dataDirectory = DataServiceExtensions.DataDirectory(builder);
        // Browsers' SignalR clients put the JWT in the hub URL's query string, and the host's request log
        // ("Request starting …") writes the whole URL before any middleware can clean it. That log stays off,
        // whatever the configured level; use UseHttpLogging without RequestQuery for request logs instead.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", level => level >= LogLevel.Warning);
        services.AddSingleton<IConfigureOptions<JwtOptions>>(sp =>
            new JwtOptionsSetup(builder.Configuration, builder.Environment, dataDirectory));
        services.AddSingleton<IValidateOptions<JwtOptions>>(sp =>
            new JwtOptionsSetup(builder.Configuration, builder.Environment, dataDirectory));
        services.AddOptions<JwtOptions>().ValidateOnStart();
        // Cookie keys live in the database: page sign-ins survive a restart and work on every node of a cluster.
        services.AddDataProtection().SetApplicationName("CrowdShield");
        services.AddSingleton<IConfigureOptions<KeyManagementOptions>>(sp => new ConfigureOptions<KeyManagementOptions>(options =>
            options.XmlRepository = new DatabaseKeyRepository(sp.GetRequiredService<IDbContextFactory<Core.Data.CrowdShieldDb>>())));
        services.AddSingleton<TokenService>();
        services.AddSingleton<UserDirectory>();
        services.AddSingleton<UserAccounts>();
        services.AddSingleton<LoginThrottle>();
        services.AddOptions<LoginLimits>().BindConfiguration("RateLimits:Login");

        services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.LoginPath = "/login";
                options.LogoutPath = "/account/logout";
                options.AccessDeniedPath = "/forbidden";
                // Sliding and long: a wall display signs in once and runs for the whole event.
                options.ExpireTimeSpan = TimeSpan.FromDays(7);
                options.SlidingExpiration = true;
                options.Cookie.Name = "crowdshield";
                options.Cookie.HttpOnly = true;
                options.Cookie.SameSite = SameSiteMode.Lax;
                options.Events.OnValidatePrincipal = async context =>
                {
                    // A deleted user or changed role takes effect on the next request, not at cookie expiry.
                    var directory = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
                    if (context.Principal is null || await directory.FindAsync(context.Principal) is not { } caller
                        || caller.Role != context.Principal.FindFirst("role")?.Value)
                    {
                        context.RejectPrincipal();
                    }
                };
            })
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((options, jwt) =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKey = jwt.Value.Key(),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = "email",
                    RoleClaimType = "role",
                };
                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSockets and SSE, so SignalR sends the token in the query:
                    // accepted on the hub path only. Request logging of that path stays below Information.
                    OnMessageReceived = context =>
                    {
                        if (context.HttpContext.Request.Path.StartsWithSegments(HubPath)
                            && context.Request.Query["access_token"] is [{ Length: > 0 } token]
                            && string.IsNullOrEmpty(context.Request.Headers.Authorization))
                        {
                            context.Token = token;
                        }
                        return Task.CompletedTask;
                    },
                    OnTokenValidated = async context =>
                    {
                        var directory = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
                        if (context.Principal is null || await directory.FindAsync(context.Principal) is not { } caller)
                        {
                            context.Fail("The user no longer exists.");
                            return;
                        }
                        // The role comes from the database, not the token, so a demotion applies at once.
                        var identity = (System.Security.Claims.ClaimsIdentity)context.Principal.Identity!;
                        foreach (var claim in identity.FindAll("role").ToList())
                        {
                            identity.RemoveClaim(claim);
                        }
                        identity.AddClaim(new("role", caller.Role));
                        context.HttpContext.Items[typeof(Core.Users.Caller)] = caller;
                    },
                    // Who the caller is comes from the database: when it cannot be reached, that is a 503 to retry,
                    // not a 401 that would make a device throw its token away.
                    OnAuthenticationFailed = context =>
                    {
                        if (ApiExceptionHandler.StorageUnavailable(context.Exception))
                        {
                            context.HttpContext.Items[StorageUnavailableKey] = true;
                        }
                        return Task.CompletedTask;
                    },
                    OnChallenge = async context =>
                    {
                        context.HandleResponse();
                        if (context.HttpContext.Items.ContainsKey(StorageUnavailableKey))
                        {
                            await Problems.WriteUnavailableAsync(context.HttpContext);
                            return;
                        }
                        await Problems.WriteAsync(context.HttpContext, StatusCodes.Status401Unauthorized,
                            "Unauthorized", context.AuthenticateFailure is null
                                ? "A bearer token is required."
                                : "The bearer token is invalid or expired.");
                    },
                    OnForbidden = context => Problems.WriteAsync(context.HttpContext, StatusCodes.Status403Forbidden,
                        "Forbidden", "Your role may not do this."),
                };
            });

        services.AddAuthorizationBuilder()
            .AddApiPolicies()
            .AddPolicy(ApiPolicies.CommandCenter, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(Core.Users.Roles.Admin, Core.Users.Roles.Operator))
            .AddPolicy(ApiPolicies.FieldView, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(Core.Users.Roles.Admin, Core.Users.Roles.Operator, Core.Users.Roles.Field))
            .AddPolicy(ApiPolicies.Kiosk, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(ApiPolicies.RolesOf[ApiPolicies.Read]));

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.AddPolicy(LoginRateLimit, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<LoginLimits>>().Value;
                return RateLimitPartition.GetFixedWindowLimiter(
                    context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = limits.PerClient, Window = limits.Window, QueueLimit = 0 });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString();
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests", "Too many sign-in attempts from this client; try again later.");
            };
        });
        return builder;
    }

    private static AuthorizationBuilder AddApiPolicies(this AuthorizationBuilder builder)
    {
        foreach (var (name, roles) in ApiPolicies.RolesOf)
        {
            builder.AddPolicy(name, policy => policy
                .AddAuthenticationSchemes(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser()
                .RequireRole(roles));
        }
        return builder;
    }
}

/// <summary>Configuration section "RateLimits:Login".</summary>
public sealed class LoginLimits
{
    public int PerClient { get; set; } = 30;
    public int PerAccount { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>Per-account login limit: guessing one account's password from many addresses is throttled too.</summary>
public sealed class LoginThrottle(IOptions<LoginLimits> limits) : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(email =>
        RateLimitPartition.GetFixedWindowLimiter(email, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limits.Value.PerAccount, Window = limits.Value.Window, QueueLimit = 0,
        }));

    /// <returns>Null when allowed; otherwise how long to wait.</returns>
    public TimeSpan? TryAcquire(string email)
    {
        using var lease = _limiter.AttemptAcquire(Core.Users.User.Normalize(email));
        return lease.IsAcquired ? null
            : lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : limits.Value.Window;
    }

    public void Dispose() => _limiter.Dispose();
}
