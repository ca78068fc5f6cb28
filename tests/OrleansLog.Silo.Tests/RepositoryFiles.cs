namespace OrleansLog.Silo.Tests;

/// <summary>Files of the repository these tests check (compose file, Dockerfile, silo-config).</summary>
internal static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => File.ReadAllText(PathOf(relative));

    /// <summary>Above the test assembly, or the directory <c>OLOG_REPO_ROOT</c> names (builds with their own artifacts path).</summary>
    private static string FindRoot()
    {
        foreach (string? start in new[] { AppContext.BaseDirectory, Environment.GetEnvironmentVariable("OLOG_REPO_ROOT") })
        {
            for (string? directory = start; directory is not null; directory = Path.GetDirectoryName(directory))
            {
                if (File.Exists(Path.Combine(directory, "OrleansLog.sln")))
                {
                    return directory;
                }
            }
        }

        throw new DirectoryNotFoundException($"No OrleansLog.sln above {AppContext.BaseDirectory}; set OLOG_REPO_ROOT.");
    }
}
