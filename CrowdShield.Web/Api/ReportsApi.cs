using CrowdShield.Core.Reports;
using CrowdShield.Web.Auth;
using CrowdShield.Web.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CrowdShield.Web.Api;

public sealed record ReportView(
    string Id, string EventId, string Message, string Type, double? Lat, double? Lng, string? ZoneId, string CreatedBy, DateTimeOffset CreatedAt)
{
    public static ReportView Of(Report r) => new(r.Id, r.EventId, r.Message, r.Type, r.Lat, r.Lng, r.ZoneId, r.CreatedBy, r.CreatedAt);
}

public static class ReportsApi
{
    public static RouteGroupBuilder MapReportsApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/reports").WithTags("Reports");
        group.MapPost("/", Create).RequireAuthorization(ApiPolicies.FileReports).ForOneEvent();
        group.MapGet("/", List).RequireAuthorization(ApiPolicies.Read).ForOneEvent();
        return group;
    }

    public static async Task<Results<Created<ReportView>, ValidationProblem, ProblemHttpResult>> Create(
        ReportRequest request, HttpContext context, ReportService reports)
    {
        var report = await reports.CreateAsync(request, context.Caller(), context.RequestAborted);
        return report is null
            ? Problems.NotFound($"There is no event '{request.EventId}'.")
            : TypedResults.Created($"{ApiServiceExtensions.BasePath}/reports/{report.Id}", ReportView.Of(report));
    }

    public static async Task<Results<Ok<IReadOnlyList<ReportView>>, ProblemHttpResult, ValidationProblem>> List(
        string? eventId, int? limit, HttpContext context, ReportService reports)
    {
        var list = await reports.ListAsync(eventId!, ApiServiceExtensions.Page(limit), context.RequestAborted);
        return TypedResults.Ok<IReadOnlyList<ReportView>>([.. list.Select(ReportView.Of)]);
    }
}
