using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, UserView User);

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth");
        group.MapPost("/login", Login).AllowAnonymous().RequireRateLimiting(AuthServiceExtensions.LoginRateLimit);
        group.MapGet("/me", Me).RequireAuthorization(ApiPolicies.AnyUser);
        return group;
    }

    public static async Task<Results<Ok<LoginResponse>, ValidationProblem, ProblemHttpResult>> Login(
        LoginRequest request, UserAccounts accounts, TokenService tokens, LoginThrottle throttle, HttpContext context)
    {
        var errors = new ValidationErrors();
        errors.Required("email", request.Email, 254);
        errors.Required("password", request.Password, 128);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        if (throttle.TryAcquire(request.Email!) is { } wait)
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(wait.TotalSeconds)).ToString();
            return TypedResults.Problem("Too many sign-in attempts for this account; try again later.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
        }
        var user = await accounts.VerifyAsync(request.Email!, request.Password!, context.RequestAborted);
        if (user is null)
        {
            return TypedResults.Problem("The email or password is wrong.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }
        var token = tokens.Issue(user);
        return TypedResults.Ok(new LoginResponse(token.Token, token.ExpiresAt, UserView.Of(user)));
    }

    public static async Task<Results<Ok<UserView>, ProblemHttpResult>> Me(HttpContext context, UserAccounts accounts)
    {
        var user = await accounts.FindAsync(context.Caller().UserId, context.RequestAborted);
        return user is null ? Problems.NotFound("The user no longer exists.") : TypedResults.Ok(UserView.Of(user));
    }
}
