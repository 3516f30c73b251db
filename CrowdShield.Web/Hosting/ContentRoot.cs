namespace CrowdShield.Web.Hosting;

/// <summary>
/// Where the app reads appsettings.json and wwwroot from. ASP.NET Core takes the working directory, so a published
/// CrowdShield started from anywhere else (a service manager, a script, cron) would silently run without its settings:
/// request logging at Information, every option at its default. A published folder (its own wwwroot beside the
/// binaries) is therefore always its own content root; <c>dotnet run</c> (the project folder) and an explicit
/// <c>--contentRoot</c> or <c>ASPNETCORE_CONTENTROOT</c> are left as they are.
/// </summary>
public static class ContentRoot
{
    public static WebApplicationOptions Options(string[] args) => new()
    {
        Args = args,
        ContentRootPath = Choose(args, Environment.GetEnvironmentVariable, AppContext.BaseDirectory),
    };

    /// <returns>The app's own folder when it is a published output and nothing else was asked for; otherwise null (the default).</returns>
    public static string? Choose(string[] args, Func<string, string?> environment, string appDirectory)
    {
        var asked = args.Any(a => a.StartsWith("--contentRoot", StringComparison.OrdinalIgnoreCase) || a.StartsWith("/contentRoot", StringComparison.OrdinalIgnoreCase))
            || !string.IsNullOrEmpty(environment("ASPNETCORE_CONTENTROOT"))
            || !string.IsNullOrEmpty(environment("DOTNET_CONTENTROOT"));
        var published = File.Exists(Path.Combine(appDirectory, "appsettings.json")) && Directory.Exists(Path.Combine(appDirectory, "wwwroot"));
        return !asked && published ? appDirectory : null;
    }
}
