using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>ListOffsets: the offset for a timestamp (-2 earliest, -1 latest) from each partition's leader grain.</summary>
internal sealed class ListOffsetsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.ListOffsets;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var list = (ListOffsetsRequest)request;
        var response = new ListOffsetsResponse();
        foreach (ListOffsetsRequest.Topic topic in list.Topics)
        {
            ListOffsetsResponse.Partition[] partitions = await Task.WhenAll(topic.Partitions.Select(async p =>
            {
                ListOffsetsResult result = await grains.GetGrain<IPartitionGrain>(new TopicPartition(topic.Name, p.PartitionIndex).ToGrainKey())
                    .ListOffsetsAsync(p.Timestamp, cancellationToken);
                return new ListOffsetsResponse.Partition
                {
                    PartitionIndex = p.PartitionIndex,
                    ErrorCode = (short)result.Error,
                    Offset = result.Error == ErrorCode.None ? result.Offset : -1,
                    Timestamp = result.Error == ErrorCode.None ? result.Timestamp : -1,
                };
            }));
            response.Topics.Add(new ListOffsetsResponse.Topic { Name = topic.Name, Partitions = [.. partitions] });
        }

        return response;
    }
}
