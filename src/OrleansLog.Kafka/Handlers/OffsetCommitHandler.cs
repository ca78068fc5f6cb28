using OrleansLog.Groups;
using OrleansLog.Kafka.Protocol;
using KafkaOffsetCommit = OrleansLog.Kafka.Protocol.Messages.OffsetCommitRequest;
using KafkaOffsetCommitResponse = OrleansLog.Kafka.Protocol.Messages.OffsetCommitResponse;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// OffsetCommit on the group's coordinator grain, the same offsets the Orleans client commits. Without group
/// management (generation -1, no member) a commit is accepted while the group has no members, as Kafka does.
/// </summary>
internal sealed class OffsetCommitHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.OffsetCommit;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var commit = (KafkaOffsetCommit)request;
        OffsetCommitResult result = string.IsNullOrEmpty(commit.GroupId)
            ? new OffsetCommitResult(ErrorCode.InvalidGroupId, "the group id is empty", [])
            : await grains.GetGrain<IGroupCoordinatorGrain>(commit.GroupId).CommitOffsetsAsync(
                new OffsetCommitRequest(
                    commit.MemberId,
                    commit.GroupInstanceId,
                    commit.GenerationId,
                    [.. commit.Topics.SelectMany(t => t.Partitions.Select(p => new OffsetCommitEntry(new TopicPartition(t.Name, p.PartitionIndex), p.CommittedOffset, p.CommittedMetadata)))]),
                cancellationToken);
        var errors = result.Partitions.ToDictionary(p => p.Partition, p => p.Error);
        return new KafkaOffsetCommitResponse
        {
            Topics =
            [
                .. commit.Topics.Select(t => new KafkaOffsetCommitResponse.Topic
                {
                    Name = t.Name,
                    Partitions =
                    [
                        .. t.Partitions.Select(p => new KafkaOffsetCommitResponse.Partition
                        {
                            PartitionIndex = p.PartitionIndex,
                            ErrorCode = (short)(result.Error != ErrorCode.None ? result.Error : errors.GetValueOrDefault(new TopicPartition(t.Name, p.PartitionIndex))),
                        }),
                    ],
                }),
            ],
        };
    }
}
