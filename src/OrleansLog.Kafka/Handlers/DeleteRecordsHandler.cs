using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DeleteRecords through the partitions' leader grains: the log start moves up (-1: to the high watermark) and the answer is the new log start.</summary>
internal sealed class DeleteRecordsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.DeleteRecords;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var delete = (DeleteRecordsRequest)request;
        var response = new DeleteRecordsResponse();
        foreach (DeleteRecordsRequest.Topic topic in delete.Topics)
        {
            DeleteRecordsResponse.Partition[] partitions = await Task.WhenAll(topic.Partitions.Select(async p =>
            {
                IPartitionGrain grain = grains.GetGrain<IPartitionGrain>(new TopicPartition(topic.Name, p.PartitionIndex).ToGrainKey());
                long offset = p.Offset;
                if (offset == -1)
                {
                    PartitionDescription description = await grain.DescribeAsync(cancellationToken);
                    offset = description.HighWatermark;
                }

                AdminResult result = await grain.DeleteRecordsBeforeAsync(offset, cancellationToken);
                if (!result.IsSuccess)
                {
                    return new DeleteRecordsResponse.Partition { PartitionIndex = p.PartitionIndex, ErrorCode = (short)result.Error };
                }

                ListOffsetsResult start = await grain.ListOffsetsAsync(-2, cancellationToken);
                return new DeleteRecordsResponse.Partition { PartitionIndex = p.PartitionIndex, LowWatermark = start.Offset, ErrorCode = (short)start.Error };
            }));
            response.Topics.Add(new DeleteRecordsResponse.Topic { Name = topic.Name, Partitions = [.. partitions] });
        }

        return response;
    }
}
