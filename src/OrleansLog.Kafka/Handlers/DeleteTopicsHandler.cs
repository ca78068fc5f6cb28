using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DeleteTopics through the topic grains: each topic's data, partitions and group offsets go, as with <c>olog topics delete</c>.</summary>
internal sealed class DeleteTopicsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.DeleteTopics;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var delete = (DeleteTopicsRequest)request;
        DeleteTopicsResponse.Result[] results = await Task.WhenAll(delete.TopicNames.Select(async name =>
        {
            AdminResult result = await grains.GetGrain<ITopicGrain>(name).DeleteAsync(cancellationToken);
            return new DeleteTopicsResponse.Result { Name = name, ErrorCode = (short)result.Error, ErrorMessage = result.Message };
        }));
        return new DeleteTopicsResponse { Responses = [.. results] };
    }
}
