namespace CrowdShield.Tests.Infrastructure;

/// <summary>The repository this test assembly was built from: the folder above it that holds CrowdShield.sln.</summary>
public static class Repository
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "CrowdShield.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("CrowdShield.sln not found above the test assembly.");
    }
}
