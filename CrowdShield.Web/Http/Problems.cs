using System.Data.Common;
using System.Text.Json;
using CrowdShield.Core.Users;
using CrowdShield.Core.Validation;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CrowdShield.Web.Http;

/// <summary>Every API error leaves through here as application/problem+json.</summary>
public static class Problems
{
    public static async Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var service = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        await service.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }

    /// <summary>503 with Retry-After: the database cannot be reached, so nothing of the request was done.</summary>
    public static Task WriteUnavailableAsync(HttpContext context)
    {
        context.Response.Headers.RetryAfter = "5";
        return WriteAsync(context, StatusCodes.Status503ServiceUnavailable, "The database cannot be reached; nothing of this request was stored.",
            "Send it again in a few seconds.");
    }

    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict");

    public static ValidationProblem Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request has invalid fields.");

    public static ValidationProblem Invalid(string field, string message) => Invalid(new ValidationErrors().Add(field, message));
}

/// <summary>
/// Turns exceptions into problems: Core's validation errors and unreadable JSON become a 400 naming the field,
/// Kestrel's limits keep their status (413, 415), anything else is a 500 that reveals nothing.
/// </summary>
internal sealed class ApiExceptionHandler(IProblemDetailsService problems, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        if (context.Response.HasStarted)
        {
            return false;
        }
        ProblemDetails problem = exception switch
        {
            ValidationException v => new HttpValidationProblemDetails(v.Errors.ToDictionary())
            {
                Status = 400, Title = "The request has invalid fields.",
            },
            // Core checks role and membership itself, whoever calls it; a refusal it raises is a 403 here.
            ForbiddenException forbidden => new ProblemDetails { Status = 403, Title = "Forbidden", Detail = forbidden.Message },
            BadHttpRequestException { InnerException: JsonException json } => new HttpValidationProblemDetails(new Dictionary<string, string[]>
            {
                [FieldOf(json.Path)] = [$"The value at '{FieldOf(json.Path)}' has the wrong type or is not valid JSON."],
            })
            {
                Status = 400, Title = "The request body is not valid JSON for this endpoint.",
            },
            BadHttpRequestException bad => new ProblemDetails
            {
                Status = bad.StatusCode,
                Title = bad.StatusCode switch
                {
                    413 => "The request body is too large.",
                    415 => "The request body must be JSON (Content-Type: application/json).",
                    _ => "Bad request.",
                },
                Detail = bad.StatusCode == 400 ? bad.Message : null,
            },
            _ when StorageUnavailable(exception) => new ProblemDetails
            {
                Status = 503,
                Title = "The database cannot be reached; nothing of this request was stored.",
                Detail = "Send it again in a few seconds.",
            },
            _ => new ProblemDetails { Status = 500, Title = "An unexpected error occurred." },
        };
        if (problem.Status == 503)
        {
            logger.LogWarning(exception, "Database unavailable on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Headers.RetryAfter = "5";
        }
        if (problem.Status == 500)
        {
            logger.LogError(exception, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
        }
        context.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = problem, Exception = exception });
    }

    /// <summary>A database that is down, restarting or too busy: the client should retry, the request is not at fault.</summary>
    internal static bool StorageUnavailable(Exception? exception)
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is DbException { IsTransient: true } or TimeoutException or System.Net.Sockets.SocketException)
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>"$.pings[3].lat" → "pings[3].lat"; the body itself ("$") is "body".</summary>
    private static string FieldOf(string? path) =>
        path is null or "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
}
