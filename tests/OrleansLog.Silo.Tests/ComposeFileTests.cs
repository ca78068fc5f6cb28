using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Npgsql;
using YamlDotNet.RepresentationModel;
using Xunit;

namespace OrleansLog.Silo.Tests;

/// <summary>
/// Docker's engine does not run on our machines, so docker-compose.yml and the Dockerfile are checked
/// here against what the silo actually reads: every environment variable names a configuration key of
/// silo-config/*.json and binds through the silo's own settings classes; three silos, each with its own
/// node id, data volume and advertised name; PostgreSQL reached by its service name with its
/// credentials; gateways and health checks on the ports the silos are configured with.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly ComposeFile Compose = ComposeFile.Parse(RepositoryFiles.Read("docker-compose.yml"));

    private static readonly IReadOnlySet<string> ConfigurationKeys = LoadConfigurationKeys();

    public static TheoryData<string> SiloNames => [.. Silos().Select(s => s.Name)];

    [Fact]
    public void ThreeSilos_EachWithItsOwnNodeIdDataVolumeAndGatewayPort()
    {
        var silos = Silos().ToArray();
        Assert.Equal(["silo1", "silo2", "silo3"], silos.Select(s => s.Name));
        Assert.Equal(3, silos.Select(s => s.Environment["OLOG_OrleansLog__NodeId"]).Distinct().Count());
        Assert.Equal(3, silos.Select(s => DataVolume(s.Service, s.Environment).Volume).Distinct().Count());
        Assert.Equal(3, silos.Select(s => PublishedPort(s.Service, Port(s, "GatewayPort"))).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(SiloNames))]
    public void SiloEnvironment_NamesOnlyRealConfigurationKeys_AndBindsToClusterMode(string name)
    {
        (_, YamlMappingNode service, IReadOnlyDictionary<string, string> environment) = Silos().Single(s => s.Name == name);
        foreach (string variable in environment.Keys)
        {
            Assert.StartsWith("OLOG_", variable, StringComparison.Ordinal);
            string key = ToConfigurationKey(variable);
            Assert.True(ConfigurationKeys.Contains(key), $"{name}: {variable} maps to '{key}', which silo-config/*.json does not define");
        }

        // Bind exactly as the silo does (Program.cs: JSON files, then OLOG_ variables).
        IConfiguration configuration = SiloConfiguration(environment);
        SiloSettings settings = SiloSettings.Bind(configuration);
        ClusterSettings cluster = ClusterSettings.Bind(configuration);
        Assert.True(cluster.IsEnabled, $"{name} must run in cluster mode");
        Assert.Equal(name, cluster.AdvertisedHost);
        Assert.Equal(name, ComposeFile.Scalar(service, "hostname"));
        Assert.Equal(".", ComposeFile.Scalar(service, "build"));
        Assert.Equal("orleanslog", settings.ClusterId);
    }

    [Theory]
    [MemberData(nameof(SiloNames))]
    public void Silo_ReachesPostgresByServiceName_WithItsCredentials_OnceItIsHealthy(string name)
    {
        (_, YamlMappingNode service, IReadOnlyDictionary<string, string> environment) = Silos().Single(s => s.Name == name);
        var connection = new NpgsqlConnectionStringBuilder(environment["OLOG_Cluster__PostgreSql"]);
        Assert.True(Compose.Services.TryGetValue(connection.Host!, out YamlMappingNode? postgres), $"{name}: no service named '{connection.Host}'");
        IReadOnlyDictionary<string, string> database = ComposeFile.Environment(postgres);
        Assert.Equal(
            (database["POSTGRES_USER"], database["POSTGRES_PASSWORD"], database["POSTGRES_DB"]),
            (connection.Username, connection.Password, connection.Database));
        Assert.StartsWith("postgres:15", ComposeFile.Scalar(postgres, "image"), StringComparison.Ordinal);
        Assert.Equal("service_healthy", ComposeFile.Scalar(service, "depends_on", connection.Host!, "condition"));
        Assert.True(postgres.Children.ContainsKey(new YamlScalarNode("healthcheck")), $"{connection.Host} needs a health check for depends_on: service_healthy");
    }

    [Theory]
    [MemberData(nameof(SiloNames))]
    public void Silo_KeepsItsDataOnItsOwnNamedVolume_AtTheConfiguredDataDirectory(string name)
    {
        (_, YamlMappingNode service, IReadOnlyDictionary<string, string> environment) = Silos().Single(s => s.Name == name);
        (string volume, string target) = DataVolume(service, environment);
        Assert.Contains(volume, Compose.Volumes);
        Assert.Equal(SiloConfiguration(environment)["OrleansLog:DataDirectory"], target);
    }

    [Theory]
    [MemberData(nameof(SiloNames))]
    public void Silo_PublishesItsGateway_AndIsHealthCheckedOnItsHttpPort(string name)
    {
        (string _, YamlMappingNode service, IReadOnlyDictionary<string, string> environment) silo = Silos().Single(s => s.Name == name);
        int gateway = Port(silo, "GatewayPort");
        int http = Port(silo, "HttpPort");
        Assert.True(PublishedPort(silo.service, gateway) > 0, $"{name} publishes no host port for its gateway {gateway}");
        Assert.True(PublishedPort(silo.service, http) > 0, $"{name} publishes no host port for its HTTP port {http}");
        string healthcheck = string.Join(' ', ComposeFile.Sequence((YamlMappingNode)silo.service.Children[new YamlScalarNode("healthcheck")], "test"));
        Assert.Contains($"http://localhost:{http}/health", healthcheck, StringComparison.Ordinal);
    }

    [Fact]
    public void Dockerfile_IsAMultiStageDotNet10Build_ThatRunsTheSiloOnTheDefaultPorts()
    {
        string[] lines = RepositoryFiles.Read("Dockerfile").Split('\n', StringSplitOptions.TrimEntries);
        Assert.Equal(
            ["FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build", "FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime"],
            lines.Where(l => l.StartsWith("FROM ", StringComparison.Ordinal)));
        SiloSettings defaults = SiloSettings.Bind(SiloConfiguration(new Dictionary<string, string>()));
        Assert.Contains($"EXPOSE {defaults.SiloPort} {defaults.GatewayPort} {defaults.HttpPort}", lines);
        Assert.Contains(lines, l => l.StartsWith("HEALTHCHECK", StringComparison.Ordinal) && l.Contains($"http://localhost:{defaults.HttpPort}/health", StringComparison.Ordinal));
        Assert.Contains("ENTRYPOINT [\"dotnet\", \"OrleansLog.Silo.dll\"]", lines);
        Assert.True(File.Exists(RepositoryFiles.PathOf(".dockerignore")), ".dockerignore keeps bin/obj out of the build context");
    }

    [Fact]
    public void DockerfilesRestoreLayer_CopiesEveryProjectTheSiloAndTheCliReference()
    {
        string[] lines = RepositoryFiles.Read("Dockerfile").Split('\n', StringSplitOptions.TrimEntries);
        var copied = lines.Where(l => l.StartsWith("COPY src/", StringComparison.Ordinal) && l.Contains(".csproj", StringComparison.Ordinal))
            .Select(l => l.Split(' ')[1])
            .ToHashSet(StringComparer.Ordinal);

        foreach (string project in ReferencedProjects("src/OrleansLog.Silo/OrleansLog.Silo.csproj").Union(ReferencedProjects("src/OrleansLog.Cli/OrleansLog.Cli.csproj")))
        {
            Assert.True(copied.Contains(project), $"the Dockerfile restores before copying src/, so it must COPY {project}; it copies {string.Join(", ", copied)}");
        }
    }

    /// <summary>The project and every project it references, transitively, as paths from the repository root.</summary>
    private static HashSet<string> ReferencedProjects(string project)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out string? next))
        {
            if (!found.Add(next))
            {
                continue;
            }

            string directory = Path.GetDirectoryName(next)!;
            foreach (System.Xml.Linq.XElement reference in System.Xml.Linq.XDocument.Parse(RepositoryFiles.Read(next)).Descendants("ProjectReference"))
            {
                string relative = Path.GetRelativePath(RepositoryFiles.Root, Path.GetFullPath(Path.Combine(RepositoryFiles.Root, directory, reference.Attribute("Include")!.Value)));
                pending.Push(relative.Replace('\\', '/'));
            }
        }

        return found;
    }

    private static IEnumerable<(string Name, YamlMappingNode Service, IReadOnlyDictionary<string, string> Environment)> Silos() =>
        Compose.Services
            .Select(s => (Name: s.Key, Service: s.Value, Environment: ComposeFile.Environment(s.Value)))
            .Where(s => s.Environment.ContainsKey("OLOG_OrleansLog__NodeId"))
            .OrderBy(s => s.Name, StringComparer.Ordinal);

    private static int Port((string Name, YamlMappingNode Service, IReadOnlyDictionary<string, string> Environment) silo, string key) =>
        key switch
        {
            "GatewayPort" => SiloSettings.Bind(SiloConfiguration(silo.Environment)).GatewayPort,
            "HttpPort" => SiloSettings.Bind(SiloConfiguration(silo.Environment)).HttpPort,
            _ => throw new ArgumentOutOfRangeException(nameof(key), key, null),
        };

    /// <summary>The host port published for a container port ("HOST:CONTAINER"), or 0.</summary>
    private static int PublishedPort(YamlMappingNode service, int containerPort)
    {
        foreach (string mapping in ComposeFile.Sequence(service, "ports"))
        {
            string[] parts = mapping.Split(':');
            if (parts.Length == 2 && int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) == containerPort)
            {
                return int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static (string Volume, string Target) DataVolume(YamlMappingNode service, IReadOnlyDictionary<string, string> environment)
    {
        string dataDirectory = SiloConfiguration(environment)["OrleansLog:DataDirectory"]!;
        foreach (string mount in ComposeFile.Sequence(service, "volumes"))
        {
            string[] parts = mount.Split(':');
            if (parts.Length >= 2 && parts[1] == dataDirectory)
            {
                return (parts[0], parts[1]);
            }
        }

        throw new InvalidOperationException($"no volume is mounted at the data directory {dataDirectory}");
    }

    private static string ToConfigurationKey(string variable) => variable["OLOG_".Length..].Replace("__", ":", StringComparison.Ordinal);

    /// <summary>silo-config/appsettings.json, then cluster.json, then the variables — the silo's own order.</summary>
    private static IConfiguration SiloConfiguration(IReadOnlyDictionary<string, string> environment) =>
        new ConfigurationBuilder()
            .AddJsonFile(RepositoryFiles.PathOf("silo-config/appsettings.json"))
            .AddJsonFile(RepositoryFiles.PathOf("silo-config/cluster.json"))
            .AddInMemoryCollection(environment.Select(e => KeyValuePair.Create(ToConfigurationKey(e.Key), (string?)e.Value)))
            .Build();

    private static HashSet<string> LoadConfigurationKeys()
    {
        var keys = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in new[] { "silo-config/appsettings.json", "silo-config/cluster.json" })
        {
            using JsonDocument document = JsonDocument.Parse(
                RepositoryFiles.Read(file),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            Collect(document.RootElement, prefix: null, keys);
        }

        return keys;

        static void Collect(JsonElement element, string? prefix, HashSet<string> keys)
        {
            if (element.ValueKind != JsonValueKind.Object)
            {
                keys.Add(prefix!);
                return;
            }

            foreach (JsonProperty property in element.EnumerateObject())
            {
                Collect(property.Value, prefix is null ? property.Name : $"{prefix}:{property.Name}", keys);
            }
        }
    }
}
