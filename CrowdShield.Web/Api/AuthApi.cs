using System.Globalization;
using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record LoginRequest(string? Email, string? Password);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, UserView User);

public static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth");
        group.MapPost("/login", Login).AllowAnonymous();
        group.MapGet("/me", Me).RequireAuthorization(ApiPolicies.AnyUser);
        group.MapPost("/password", ChangePassword).RequireAuthorization(ApiPolicies.AnyUser);
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
        var outcome = await accounts.SignInAsync(request.Email!, request.Password!, context.ClientAddress(), throttle, context.RequestAborted);
        if (outcome.RetryAfter is { } wait)
        {
            context.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem("Too many sign-in attempts from this client; try again later.",
                statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests");
        }
        if (outcome.User is not { } user)
        {
            return TypedResults.Problem("The email or password is wrong.", statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized");
        }
        var token = tokens.Issue(user);
        return TypedResults.Ok(new LoginResponse(token.Token, token.ExpiresAt, UserView.Of(user)));
    }

    /// <summary>The caller's own password; every token and cookie issued before (this one included) stops working.</summary>
    public static async Task<Results<NoContent, ValidationProblem>> ChangePassword(PasswordChange request, HttpContext context, UserAccounts accounts)
    {
        var caller = context.Caller();
        var errors = new ValidationErrors();
        errors.Required("currentPassword", request.CurrentPassword, 128);
        PasswordPolicy.Validate(errors, "newPassword", request.NewPassword, caller.Email, caller.Name);
        if (errors.IsValid && request.NewPassword == request.CurrentPassword)
        {
            errors.Add("newPassword", "'newPassword' must differ from the current password.");
        }
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        return await accounts.ChangePasswordAsync(caller, request.CurrentPassword!, request.NewPassword!, context.RequestAborted)
            ? TypedResults.NoContent()
            : Problems.Invalid("currentPassword", "'currentPassword' is wrong.");
    }

    public static async Task<Results<Ok<UserView>, ProblemHttpResult>> Me(HttpContext context, UserAccounts accounts)
    {
        var user = await accounts.FindAsync(context.Caller().UserId, context.RequestAborted);
        return user is null ? Problems.NotFound("The user no longer exists.") : TypedResults.Ok(UserView.Of(user));
    }
}
