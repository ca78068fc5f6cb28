using OrleansLog.Groups;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>OffsetFetch from the group's coordinator grain: the partitions asked for (all committed ones when null), -1 where none is committed.</summary>
internal sealed class OffsetFetchHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.OffsetFetch;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var fetch = (OffsetFetchRequest)request;
        if (string.IsNullOrEmpty(fetch.GroupId))
        {
            return new OffsetFetchResponse { ErrorCode = (short)ErrorCode.InvalidGroupId };
        }

        TopicPartition[]? asked = fetch.Topics is null ? null : [.. fetch.Topics.SelectMany(t => t.PartitionIndexes.Select(p => new TopicPartition(t.Name, p)))];
        IReadOnlyList<CommittedOffset> committed = await grains.GetGrain<IGroupCoordinatorGrain>(fetch.GroupId).FetchOffsetsAsync(asked, cancellationToken);
        return new OffsetFetchResponse
        {
            Topics =
            [
                .. committed.GroupBy(c => c.Partition.Topic).Select(topic => new OffsetFetchResponse.Topic
                {
                    Name = topic.Key,
                    Partitions =
                    [
                        .. topic.Select(c => new OffsetFetchResponse.Partition
                        {
                            PartitionIndex = c.Partition.Partition,
                            CommittedOffset = c.Offset,
                            Metadata = c.Metadata ?? string.Empty,
                        }),
                    ],
                }),
            ],
        };
    }
}
