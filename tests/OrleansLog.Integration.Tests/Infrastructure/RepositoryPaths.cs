namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>Finds the repository and the built silo, so tests can start real broker processes.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The silo assembly built in the same configuration as this test assembly.</summary>
    public static string SiloAssembly
    {
        get
        {
            string configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
            string path = Path.Combine(Root, "src", "OrleansLog.Silo", "bin", configuration, "net10.0", "OrleansLog.Silo.dll");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(
                    $"The silo is not built at {path}; build the solution ('./build.sh build') before running these tests.", path);
            }

            return path;
        }
    }

    private static string FindRoot()
    {
        string? directory = AppContext.BaseDirectory;
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory, "OrleansLog.sln")))
            {
                return directory;
            }

            directory = Path.GetDirectoryName(directory);
        }

        throw new DirectoryNotFoundException($"No OrleansLog.sln above {AppContext.BaseDirectory}.");
    }
}
