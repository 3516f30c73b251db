using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Users").RequireAuthorization(ApiPolicies.Admin);
        group.MapPost("/", Create);
        group.MapGet("/", List);
        group.MapPatch("/{id}", Update);
        group.MapDelete("/{id}", Delete);
        return group;
    }

    public static async Task<Results<Created<UserView>, ValidationProblem, ProblemHttpResult>> Create(
        UserRequest request, HttpContext context, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, user) = await accounts.CreateAsync(request, context.Caller(), cancellationToken);
        return outcome == CreateUserOutcome.DuplicateEmail
            ? Problems.Conflict($"A user with the email '{request.Email}' already exists.")
            : TypedResults.Created($"{ApiServiceExtensions.BasePath}/users/{user!.Id}", UserView.Of(user));
    }

    public static async Task<Ok<IReadOnlyList<UserView>>> List(UserAccounts accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<UserView>>([.. (await accounts.ListAsync(cancellationToken)).Select(UserView.Of)]);

    /// <summary>Changes any of name, role, events, disabled and password; disabling and a new password end the user's sessions.</summary>
    public static async Task<Results<Ok<UserView>, ValidationProblem, ProblemHttpResult>> Update(
        string id, UserPatch patch, HttpContext context, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var existing = await accounts.FindAsync(id, cancellationToken);
        if (existing is null)
        {
            return Problems.NotFound($"There is no user '{id}'.");
        }
        var errors = new ValidationErrors();
        patch.Validate(errors, existing.Email);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, user) = await accounts.UpdateAsync(id, patch, context.Caller(), cancellationToken);
        return outcome switch
        {
            UserChangeOutcome.NotFound => Problems.NotFound($"There is no user '{id}'."),
            UserChangeOutcome.LastAdmin => Problems.Conflict("This is the last enabled admin: make another admin first."),
            _ => TypedResults.Ok(UserView.Of(user!)),
        };
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, HttpContext context, UserAccounts accounts, CancellationToken cancellationToken) =>
        await accounts.DeleteAsync(id, context.Caller(), cancellationToken) switch
        {
            UserChangeOutcome.NotFound => Problems.NotFound($"There is no user '{id}'."),
            UserChangeOutcome.LastAdmin => Problems.Conflict("This is the last enabled admin: make another admin first."),
            _ => TypedResults.NoContent(),
        };
}
