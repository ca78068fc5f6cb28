using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using Orleans.Configuration;

namespace OrleansLog.Grains.Cluster;

/// <summary>
/// Describes the cluster: Orleans membership (every node's newest silo generation, with status and
/// start time) joined with each active node's own report. Stateless; runs on whichever silo is asked.
/// A node that does not answer within <see cref="NodeReportTimeout"/> is listed with the error instead
/// of failing the whole description — describing a cluster with a sick node is when it is needed most.
/// </summary>
[StatelessWorker]
[GrainType("olog-cluster")]
internal sealed partial class ClusterGrain(IOptions<ClusterOptions> clusterOptions, TimeProvider timeProvider, ClusterNodes clusterNodes) : Grain, IClusterGrain
{
    private static readonly TimeSpan NodeReportTimeout = TimeSpan.FromSeconds(5);

    public async Task<ClusterDescription> DescribeAsync(CancellationToken cancellationToken = default)
    {
        MembershipEntry[] hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false, cancellationToken);
        var newest = new SortedDictionary<string, MembershipEntry>(StringComparer.Ordinal);
        foreach (MembershipEntry host in hosts)
        {
            string name = string.IsNullOrEmpty(host.SiloName) ? host.SiloAddress.ToParsableString() : host.SiloName;
            if (!newest.TryGetValue(name, out MembershipEntry? seen) || host.SiloAddress.Generation > seen.SiloAddress.Generation)
            {
                newest[name] = host;
            }
        }

        var reports = new List<Task<NodeDescription>>(newest.Count);
        foreach ((string nodeId, MembershipEntry entry) in newest)
        {
            reports.Add(DescribeNodeAsync(nodeId, entry, cancellationToken));
        }

        NodeDescription[] nodes = await Task.WhenAll(reports);
        return new ClusterDescription(clusterOptions.Value.ClusterId, timeProvider.GetUtcNow().ToUnixTimeMilliseconds(), nodes);
    }

    private async Task<NodeDescription> DescribeNodeAsync(string nodeId, MembershipEntry entry, CancellationToken cancellationToken)
    {
        long startedAtMs = new DateTimeOffset(DateTime.SpecifyKind(entry.StartTime, DateTimeKind.Utc)).ToUnixTimeMilliseconds();
        string siloAddress = entry.SiloAddress.ToParsableString();
        string status = entry.Status.ToString();
        if (entry.Status != SiloStatus.Active)
        {
            return new NodeDescription(nodeId, siloAddress, status, startedAtMs, [], [], -1, $"node is {status}");
        }

        try
        {
            NodeDescription report = await GrainFactory.GetGrain<INodeGrain>(nodeId)
                .DescribeAsync(cancellationToken)
                .WaitAsync(NodeReportTimeout, cancellationToken);
            return report with { SiloAddress = siloAddress, Status = status, StartedAtMs = startedAtMs };
        }
        catch (Exception ex) when (ex is TimeoutException or OrleansException)
        {
            return new NodeDescription(nodeId, siloAddress, status, startedAtMs, [], [], -1, $"no report: {ex.GetType().Name}: {ex.Message}");
        }
    }
}
