using Xunit;

namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// The test classes that run three silo processes each. They run one after another, so that at most one
/// cluster shares this machine's two cores with the rest of the suite: a cluster starved of CPU misses
/// membership probes and votes its own live silos dead.
/// </summary>
[CollectionDefinition(Name)]
public sealed class SiloClusterCollection
{
    public const string Name = "Silo clusters";
}
