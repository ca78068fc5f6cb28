using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Metadata: this broker, and the topics asked for (every topic when the list is null) with their
/// partitions. Every partition is named as led by the answering broker: its produce and fetch calls reach
/// the partition's leader grain wherever Orleans placed it. Topics are not created on demand.
/// </summary>
internal sealed class MetadataHandler(IGrainFactory grains, KafkaBroker broker) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.Metadata;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var metadata = (MetadataRequest)request;
        IReadOnlyList<string> names = metadata.Topics is null
            ? await grains.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key).ListAsync(cancellationToken)
            : [.. metadata.Topics.Select(t => t.Name ?? string.Empty)];
        MetadataResponse.Topic[] topics = await Task.WhenAll(names.Select(name => DescribeAsync(name, cancellationToken)));
        return new MetadataResponse
        {
            Brokers = [new MetadataResponse.Broker { NodeId = broker.BrokerId, Host = broker.Host, Port = broker.Port }],
            ClusterId = "orleanslog",
            ControllerId = broker.BrokerId,
            Topics = [.. topics],
        };
    }

    private async Task<MetadataResponse.Topic> DescribeAsync(string name, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(name))
        {
            return new MetadataResponse.Topic { Name = name, ErrorCode = (short)ErrorCode.InvalidTopic };
        }

        TopicMetadata topic = await grains.GetGrain<ITopicGrain>(name).GetMetadataAsync(cancellationToken);
        if (!topic.Exists)
        {
            return new MetadataResponse.Topic { Name = name, ErrorCode = (short)ErrorCode.UnknownTopicOrPartition };
        }

        return new MetadataResponse.Topic
        {
            Name = name,
            TopicId = topic.TopicId,
            Partitions =
            [
                .. Enumerable.Range(0, topic.PartitionCount).Select(p => new MetadataResponse.Partition
                {
                    PartitionIndex = p,
                    LeaderId = broker.BrokerId,
                    ReplicaNodes = [broker.BrokerId],
                    IsrNodes = [broker.BrokerId],
                }),
            ],
        };
    }
}
