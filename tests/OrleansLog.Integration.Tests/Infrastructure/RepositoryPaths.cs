namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>Finds the repository and the built silo, so tests can start real broker processes.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>
    /// The silo assembly built in the same configuration as this test assembly, or the one named by
    /// <c>OLOG_SILO_DLL</c> (for builds with their own artifacts path, with <c>OLOG_REPO_ROOT</c>).
    /// </summary>
    public static string SiloAssembly
    {
        get
        {
            if (Environment.GetEnvironmentVariable("OLOG_SILO_DLL") is { Length: > 0 } overridden)
            {
                return File.Exists(overridden)
                    ? overridden
                    : throw new FileNotFoundException($"OLOG_SILO_DLL names {overridden}, which does not exist.", overridden);
            }

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

    /// <summary>The broker with the stream test grains (tests/OrleansLog.Streaming.TestSilo), built like this test assembly.</summary>
    public static string StreamTestSiloAssembly => Built("tests/OrleansLog.Streaming.TestSilo", "OrleansLog.Streaming.TestSilo.dll", "the stream test silo");

    /// <summary>The <c>olog</c> command-line tool, built like this test assembly.</summary>
    public static string OlogAssembly => Built("src/OrleansLog.Cli", "olog.dll", "olog");

    /// <summary>An assembly of the solution, built in the same configuration as this test assembly.</summary>
    private static string Built(string project, string assembly, string what)
    {
        string configuration = AppContext.BaseDirectory.Contains("/Debug/", StringComparison.Ordinal) ? "Debug" : "Release";
        string path = Path.Combine(Root, project, "bin", configuration, "net10.0", assembly);
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"{what} is not built at {path}; build the solution first.", path);
    }

    /// <summary>Above the test assembly, or (for builds with their own artifacts path) the one <c>OLOG_REPO_ROOT</c> names.</summary>
    private static string FindRoot() =>
        FindRootAbove(AppContext.BaseDirectory)
        ?? FindRootAbove(Environment.GetEnvironmentVariable("OLOG_REPO_ROOT"))
        ?? throw new DirectoryNotFoundException($"No OrleansLog.sln above {AppContext.BaseDirectory}; set OLOG_REPO_ROOT when building with an artifacts path.");

    private static string? FindRootAbove(string? directory)
    {
        while (directory is not null)
        {
            if (File.Exists(Path.Combine(directory, "OrleansLog.sln")))
            {
                return directory;
            }

            directory = Path.GetDirectoryName(directory);
        }

        return null;
    }
}
