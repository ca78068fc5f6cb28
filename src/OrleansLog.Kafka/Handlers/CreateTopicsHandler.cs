using System.Globalization;
using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// CreateTopics through the topic grains, as <c>olog topics create</c> does: -1 partitions is one (Kafka's
/// num.partitions), -1 replicas the cluster default, configuration entries as given. Manual replica
/// assignments and validate-only requests are refused with a message rather than half-honoured.
/// </summary>
internal sealed class CreateTopicsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.CreateTopics;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var create = (CreateTopicsRequest)request;
        CreateTopicsResponse.Topic[] topics = await Task.WhenAll(create.Topics.Select(topic => CreateAsync(topic, create.ValidateOnly, cancellationToken)));
        return new CreateTopicsResponse { Topics = [.. topics] };
    }

    private async Task<CreateTopicsResponse.Topic> CreateAsync(CreateTopicsRequest.Topic topic, bool validateOnly, CancellationToken cancellationToken)
    {
        var answer = new CreateTopicsResponse.Topic { Name = topic.Name, NumPartitions = topic.NumPartitions, ReplicationFactor = topic.ReplicationFactor };
        if (validateOnly)
        {
            return Refuse(answer, ErrorCode.InvalidRequest, $"topic '{topic.Name}': validate_only is not supported here; create the topic or leave it");
        }

        if (topic.Assignments.Count > 0)
        {
            return Refuse(answer, ErrorCode.InvalidReplicaAssignment, $"topic '{topic.Name}': manual replica assignments are not supported; give a partition count and replication factor");
        }

        var config = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (CreateTopicsRequest.Config entry in topic.Configs.Where(c => c.Value is not null))
        {
            config[entry.Name] = entry.Value!;
        }

        if (topic.ReplicationFactor > 0)
        {
            config[TopicConfigKeys.ReplicationFactor] = topic.ReplicationFactor.ToString(CultureInfo.InvariantCulture);
        }

        int partitions = topic.NumPartitions == -1 ? 1 : topic.NumPartitions;
        AdminResult result = await grains.GetGrain<ITopicGrain>(topic.Name).CreateAsync(partitions, config.Count == 0 ? null : config, cancellationToken);
        if (!result.IsSuccess)
        {
            return Refuse(answer, result.Error, result.Message ?? result.Error.ToString());
        }

        answer.NumPartitions = partitions;
        return answer;
    }

    private static CreateTopicsResponse.Topic Refuse(CreateTopicsResponse.Topic answer, ErrorCode error, string message)
    {
        answer.ErrorCode = (short)error;
        answer.ErrorMessage = message;
        return answer;
    }
}
