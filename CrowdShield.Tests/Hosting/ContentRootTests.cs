using CrowdShield.Web.Hosting;

namespace CrowdShield.Tests.Hosting;

public sealed class ContentRootTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("crowdshield-root-").FullName;

    private static string? NoEnvironment(string _) => null;

    [Fact]
    public void PublishedFolder_IsTheContentRoot_WhereverItStarts()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_folder, "wwwroot"));

        Assert.Equal(_folder, ContentRoot.Choose([], NoEnvironment, _folder));
    }

    [Fact]
    public void BuildOutput_WithoutWwwroot_KeepsTheDefault_SoDotnetRunReadsTheProjectFolder()
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), "{}");

        Assert.Null(ContentRoot.Choose([], NoEnvironment, _folder));
    }

    [Theory]
    [InlineData("--contentRoot=/srv/elsewhere", null)]
    [InlineData(null, "ASPNETCORE_CONTENTROOT")]
    [InlineData(null, "DOTNET_CONTENTROOT")]
    public void AnExplicitContentRoot_Wins(string? argument, string? variable)
    {
        File.WriteAllText(Path.Combine(_folder, "appsettings.json"), "{}");
        Directory.CreateDirectory(Path.Combine(_folder, "wwwroot"));

        Assert.Null(ContentRoot.Choose(argument is null ? [] : [argument], name => name == variable ? "/srv/elsewhere" : null, _folder));
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
