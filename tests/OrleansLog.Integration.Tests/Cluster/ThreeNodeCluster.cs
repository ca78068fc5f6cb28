using System.Diagnostics;
using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// Three silo processes in cluster mode on this machine, meeting in a PostgreSQL database of their own
/// (<see cref="TestDatabase"/>), each with its own data directory and node id. Shared by the tests of
/// one class; every test leaves all three nodes running.
/// </summary>
public class ThreeNodeCluster : IAsyncLifetime
{
    private readonly string[] _siloArguments;
    private readonly string? _siloAssembly;

    public ThreeNodeCluster()
        : this([])
    {
    }

    /// <param name="siloArguments">Further command-line settings for every silo of the cluster.</param>
    protected ThreeNodeCluster(params string[] siloArguments) => _siloArguments = siloArguments;

    /// <param name="siloArguments">Further command-line settings for every silo of the cluster.</param>
    /// <param name="siloAssembly">The host every node runs (the broker by default).</param>
    protected ThreeNodeCluster(string[] siloArguments, string siloAssembly)
    {
        _siloAssembly = siloAssembly;
        _siloArguments = siloArguments;
    }

    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "olog-cluster-" + Guid.NewGuid().ToString("N")[..8]);
    private TestDatabase? _database;
    private ClusterNode[] _nodes = [];
    private readonly List<ClusterNode> _extraNodes = [];

    internal TestDatabase Database => _database ?? throw new InvalidOperationException("The cluster has not started.");

    internal IReadOnlyList<ClusterNode> Nodes => _nodes;

    /// <summary>From starting three processes to all three active in membership and answering for their disks.</summary>
    public TimeSpan StartUpTime { get; private set; }

    public async ValueTask InitializeAsync()
    {
        CancellationToken ct = TestContext.Current.CancellationToken;
        _database = await TestDatabase.CreateAsync(ct);
        _nodes = [.. Enumerable.Range(1, 3).Select(i => new ClusterNode($"node-{i}", Path.Combine(_root, $"n{i}"), _database.ConnectionString, _siloArguments, _siloAssembly ?? RepositoryPaths.SiloAssembly))];
        var clock = Stopwatch.StartNew();
        await StartAsync(_nodes, ct);
        StartUpTime = clock.Elapsed;
    }

    /// <summary>Starts the nodes concurrently and waits until the cluster sees all three active.</summary>
    internal async Task StartAsync(IReadOnlyList<ClusterNode> nodes, CancellationToken cancellationToken)
    {
        await Task.WhenAll(nodes.Select(n => n.Silo.StartAsync(StartTimeout, cancellationToken)));
        await using ExternalClient client = await ConnectAsync(cancellationToken, nodes[0]);
        await WaitForActiveNodesAsync(client, 3, cancellationToken);
    }

    /// <summary>A further node of the same cluster (not started); disposed with the cluster.</summary>
    internal ClusterNode AddNode(string nodeId)
    {
        var node = new ClusterNode(nodeId, Path.Combine(_root, nodeId), Database.ConnectionString, _siloArguments, _siloAssembly ?? RepositoryPaths.SiloAssembly);
        _extraNodes.Add(node);
        return node;
    }

    /// <summary>An Orleans client using the gateways of the given nodes (all nodes when none are given).</summary>
    internal Task<ExternalClient> ConnectAsync(CancellationToken cancellationToken, params ClusterNode[] via) =>
        ExternalClient.ConnectAsync(cancellationToken, [.. (via.Length > 0 ? via : _nodes).Select(n => n.Silo.GatewayPort)]);

    /// <summary>An Orleans client using every node's gateway, configured further by <paramref name="configure"/>.</summary>
    internal Task<ExternalClient> ConnectAsync(Action<IClientBuilder> configure, CancellationToken cancellationToken) =>
        ExternalClient.ConnectAsync(configure, [.. _nodes.Select(n => n.Silo.GatewayPort)], cancellationToken);

    /// <summary>
    /// Writes every node's output so far (all its runs) to <c>{temp}/{name}/{node}.log</c>, for a failure
    /// message to point at; returns the directory.
    /// </summary>
    internal string SaveLogs(string name)
    {
        string directory = Path.Combine(Path.GetTempPath(), name);
        Directory.CreateDirectory(directory);
        foreach (ClusterNode node in _nodes.Concat(_extraNodes))
        {
            File.WriteAllText(Path.Combine(directory, node.NodeId + ".log"), node.Silo.Output);
        }

        return directory;
    }

    internal static Task<ClusterDescription> WaitForActiveNodesAsync(ExternalClient client, int expected, CancellationToken cancellationToken) =>
        Eventually.WaitAsync(
            () => client.Client.GetGrain<IClusterGrain>(IClusterGrain.Key).DescribeAsync(cancellationToken),
            d => d.Nodes.Count(n => n.Status == "Active" && n.Error is null) == expected,
            StartTimeout,
            $"{expected} active nodes answering for their disks",
            cancellationToken);

    public async ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        foreach (ClusterNode node in _nodes.Concat(_extraNodes))
        {
            await node.Silo.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }
}
