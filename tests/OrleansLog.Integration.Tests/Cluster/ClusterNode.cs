using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>One node of a test cluster: a silo process in cluster mode with its node id and data directory.</summary>
internal sealed class ClusterNode(string nodeId, string dataDirectory, string postgres, string[] siloArguments, string siloAssembly)
{
    public ClusterNode(string nodeId, string dataDirectory, string postgres, params string[] siloArguments)
        : this(nodeId, dataDirectory, postgres, siloArguments, RepositoryPaths.SiloAssembly)
    {
    }

    public string NodeId { get; } = nodeId;

    public string DataDirectory { get; } = dataDirectory;

    public SiloProcess Silo { get; } = new(
        dataDirectory,
        ["--node-id", nodeId, "--postgres", postgres, "--advertised-host", "127.0.0.1", .. siloArguments],
        siloAssembly);

    /// <summary>Whether this node's disk holds a log directory for the partition.</summary>
    public bool HoldsLog(string topic, int partition) =>
        Directory.Exists(Path.Combine(DataDirectory, "logs", new TopicPartition(topic, partition).ToDirectoryName()));

    public override string ToString() => $"{NodeId} (gateway {Silo.GatewayPort})";
}
