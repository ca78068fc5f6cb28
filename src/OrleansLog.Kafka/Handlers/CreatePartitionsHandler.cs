using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>CreatePartitions through the topic grains (a count can only grow); manual assignments and validate-only are refused with a message.</summary>
internal sealed class CreatePartitionsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.CreatePartitions;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var create = (CreatePartitionsRequest)request;
        CreatePartitionsResponse.Result[] results = await Task.WhenAll(create.Topics.Select(async topic =>
        {
            AdminResult result = create.ValidateOnly
                ? AdminResult.Failure(ErrorCode.InvalidRequest, $"topic '{topic.Name}': validate_only is not supported here")
                : topic.Assignments is not null
                    ? AdminResult.Failure(ErrorCode.InvalidReplicaAssignment, $"topic '{topic.Name}': manual replica assignments are not supported")
                    : await grains.GetGrain<ITopicGrain>(topic.Name).AddPartitionsAsync(topic.Count, cancellationToken);
            return new CreatePartitionsResponse.Result { Name = topic.Name, ErrorCode = (short)result.Error, ErrorMessage = result.Message };
        }));
        return new CreatePartitionsResponse { Results = [.. results] };
    }
}
