using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>One pulling-agent queue: a partition of a stream namespace's topic.</summary>
internal sealed record QueuePartition(QueueId QueueId, StreamNamespaceOptions Namespace, TopicPartition TopicPartition)
{
    public override string ToString() => $"{TopicPartition} (stream namespace '{Namespace.Namespace}')";
}
