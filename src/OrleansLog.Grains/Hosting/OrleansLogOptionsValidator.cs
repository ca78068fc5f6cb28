using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace OrleansLog.Grains.Hosting;

/// <summary>Fails silo start-up with a message naming the bad <see cref="OrleansLogOptions"/> setting.</summary>
internal sealed class OrleansLogOptionsValidator(IOptions<OrleansLogOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration()
    {
        OrleansLogOptions o = options.Value;
        if (string.IsNullOrWhiteSpace(o.DataDirectory))
        {
            throw new OrleansConfigurationException("OrleansLog:DataDirectory must name a directory, was empty.");
        }

        if (o.NodeId.Length > 0 && !IsValidNodeId(o.NodeId))
        {
            throw new OrleansConfigurationException(
                $"OrleansLog:NodeId must be 1-64 characters of [a-zA-Z0-9._-], was '{o.NodeId}'.");
        }

        if (o.RetentionCheckInterval <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException(
                $"OrleansLog:RetentionCheckInterval must be positive, was {o.RetentionCheckInterval}.");
        }

        if (o.MaxFetchWait < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansLog:MaxFetchWait must not be negative, was {o.MaxFetchWait}.");
        }

        if (o.StateSyncThreads is < 1 or > 64)
        {
            throw new OrleansConfigurationException($"OrleansLog:StateSyncThreads must be between 1 and 64, was {o.StateSyncThreads}.");
        }

        if (o.ReplicaLagTime <= TimeSpan.Zero || o.ReplicationCheckInterval <= TimeSpan.Zero || o.PreferredLeaderDelay < TimeSpan.Zero)
        {
            throw new OrleansConfigurationException(
                $"OrleansLog:ReplicaLagTime and ReplicationCheckInterval must be positive and PreferredLeaderDelay not negative, were {o.ReplicaLagTime}, {o.ReplicationCheckInterval}, {o.PreferredLeaderDelay}.");
        }

        if (o.FollowerCheckInterval <= TimeSpan.Zero)
        {
            throw new OrleansConfigurationException($"OrleansLog:FollowerCheckInterval must be positive, was {o.FollowerCheckInterval}.");
        }

        if (o.ReplicaFetchWait < TimeSpan.Zero || o.ReplicaFetchWait >= o.ReplicaLagTime)
        {
            throw new OrleansConfigurationException(
                $"OrleansLog:ReplicaFetchWait must be between 0 and ReplicaLagTime ({o.ReplicaLagTime}), was {o.ReplicaFetchWait}.");
        }

        if (o.ReplicaFetchMaxBytes < 1024)
        {
            throw new OrleansConfigurationException($"OrleansLog:ReplicaFetchMaxBytes must be at least 1024, was {o.ReplicaFetchMaxBytes}.");
        }

        if (o.MaxFetchBytes < 1024)
        {
            throw new OrleansConfigurationException($"OrleansLog:MaxFetchBytes must be at least 1024, was {o.MaxFetchBytes}.");
        }

        if (o.MaxPartitionsPerTopic < 1 || o.MaxPartitionsPerNode < 1)
        {
            throw new OrleansConfigurationException(
                $"OrleansLog:MaxPartitionsPerTopic and MaxPartitionsPerNode must be at least 1, were {o.MaxPartitionsPerTopic} and {o.MaxPartitionsPerNode}.");
        }
    }

    internal static bool IsValidNodeId(string nodeId) =>
        nodeId.Length is > 0 and <= 64 && TopicName.Validate(nodeId) is null;
}
