using System.Globalization;
using System.Threading.RateLimiting;
using CrowdShield.Web.Data;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace CrowdShield.Web.Auth;

public static class AuthServiceExtensions
{
    public const string IngestRateLimit = "ingest";
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
        services.AddOptions<IngestLimits>().BindConfiguration("RateLimits:Ingest");

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
                // Secure whenever the request is HTTPS, also behind a TLS proxy (see ForwardedHeaders).
                options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                options.Events.OnValidatePrincipal = async context =>
                {
                    // A deleted or disabled user, a changed password or role, or a sign-out elsewhere takes effect on
                    // the next request, not at cookie expiry. (Open pages re-check on their own: EventPageBase.)
                    var directory = context.HttpContext.RequestServices.GetRequiredService<UserDirectory>();
                    if (context.Principal is null || await directory.FindAsync(context.Principal) is not { } caller
                        || caller.Role != context.Principal.FindFirst(UserClaims.Role)?.Value)
                    {
                        context.RejectPrincipal();
                        return;
                    }
                    // The same fresh caller the API's endpoints read (the log page's downloads go by cookie).
                    context.HttpContext.SetCaller(caller);
                };
            })
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((options, jwt) =>
            {
                options.MapInboundClaims = false;
                // Nothing reads the token back from the ticket (GetTokenAsync), and storing it costs a dictionary,
                // its entries and a formatted expiry per request: ~6 % of what a single ping allocates.
                options.SaveToken = false;
                // The handler (and what it remembers) belongs to these options and their signing key; bearer tokens are
                // validated by it alone.
                options.TokenHandlers.Clear();
                options.TokenHandlers.Add(new RememberingTokenHandler { MapInboundClaims = false });
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Value.Issuer,
                    ValidAudience = jwt.Value.Audience,
                    IssuerSigningKey = jwt.Value.Key(),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(30),
                    NameClaimType = UserClaims.Name,
                    RoleClaimType = UserClaims.Role,
                };
                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSockets and SSE, so SignalR sends the token in the query:
                    // accepted on the hub path only. Request logging of that path stays below Information.
                    OnMessageReceived = context =>
                    {
                        if (context.HttpContext.Request.Path.StartsWithSegments(Realtime.RealtimeServiceExtensions.HubPath)
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
                            context.Fail("The user no longer exists, is disabled, or the token was revoked.");
                            return;
                        }
                        // The role comes from the database, not the token, so a demotion applies at once.
                        var identity = (System.Security.Claims.ClaimsIdentity)context.Principal.Identity!;
                        foreach (var claim in identity.FindAll(UserClaims.Role).ToList())
                        {
                            identity.RemoveClaim(claim);
                        }
                        identity.AddClaim(new(UserClaims.Role, caller.Role));
                        context.HttpContext.SetCaller(caller);
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
            .AddPagePolicies();

        services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Ingest per user: one token (a misbehaving tablet, a stolen device key) cannot flood the database.
            // The limiter runs before the endpoint reads the body, so nothing of a refused request is stored.
            options.AddPolicy(IngestRateLimit, context =>
            {
                var limits = context.RequestServices.GetRequiredService<IOptions<IngestLimits>>().Value;
                var user = context.User.FindFirst(UserClaims.UserId)?.Value;
                return user is null
                    ? RateLimitPartition.GetNoLimiter("anonymous")
                    : RateLimitPartition.GetFixedWindowLimiter(user, _ => new FixedWindowRateLimiterOptions
                    {
                        PermitLimit = limits.PerUser, Window = TimeSpan.FromSeconds(1), QueueLimit = 0,
                    });
            });
            options.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : TimeSpan.FromSeconds(1);
                context.HttpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await Problems.WriteAsync(context.HttpContext, StatusCodes.Status429TooManyRequests,
                    "Too many requests", "This account sends more than its ingest limit (RateLimits:Ingest:PerUser per second); nothing of this request was stored.");
            };
        });
        return builder;
    }

    /// <summary>Pages use the cookie; who may open which is <see cref="PageAccess"/>.</summary>
    private static AuthorizationBuilder AddPagePolicies(this AuthorizationBuilder builder)
    {
        foreach (var (name, roles) in PageAccess.RolesOf)
        {
            builder.AddPolicy(name, policy => policy
                .AddAuthenticationSchemes(CookieAuthenticationDefaults.AuthenticationScheme)
                .RequireRole(roles));
        }
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

/// <summary>Configuration section "RateLimits:Ingest".</summary>
public sealed class IngestLimits
{
    /// <summary>Requests per second per user to POST /pings, /cctv/objects and /cctv/crossings.</summary>
    public int PerUser { get; set; } = 200;
}
