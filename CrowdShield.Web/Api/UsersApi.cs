using CrowdShield.Core.Validation;
using CrowdShield.Web.Auth;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public static class UsersApi
{
    public static RouteGroupBuilder MapUsersApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/users").WithTags("Users").RequireAuthorization(ApiPolicies.Admin);
        group.MapPost("/", Create);
        group.MapGet("/", List);
        return group;
    }

    public static async Task<Results<Created<UserView>, ValidationProblem, ProblemHttpResult>> Create(
        UserRequest request, UserAccounts accounts, CancellationToken cancellationToken)
    {
        var errors = new ValidationErrors();
        request.Validate(errors);
        if (!errors.IsValid)
        {
            return Problems.Invalid(errors);
        }
        var (outcome, user) = await accounts.CreateAsync(request, cancellationToken);
        return outcome == CreateUserOutcome.DuplicateEmail
            ? Problems.Conflict($"A user with the email '{request.Email}' already exists.")
            : TypedResults.Created($"{ApiServiceExtensions.BasePath}/users/{user!.Id}", UserView.Of(user));
    }

    public static async Task<Ok<IReadOnlyList<UserView>>> List(UserAccounts accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok<IReadOnlyList<UserView>>([.. (await accounts.ListAsync(cancellationToken)).Select(UserView.Of)]);
}
