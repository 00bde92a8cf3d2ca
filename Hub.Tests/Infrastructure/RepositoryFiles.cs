namespace Hub.Tests.Infrastructure;

/// <summary>Finds files of the repository (scripts, nginx and compose files) from the test's output folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(params string[] relative) => Path.Combine([Root, .. relative]);

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "HubSolution.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"HubSolution.sln not found above {AppContext.BaseDirectory}.");
    }
}
