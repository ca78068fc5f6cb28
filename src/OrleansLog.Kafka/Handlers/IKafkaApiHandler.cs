using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka.Handlers;

/// <summary>Serves one Kafka API: takes the decoded request, returns the response body (null: none is sent, as for acks=0).</summary>
internal interface IKafkaApiHandler
{
    ApiKey ApiKey { get; }

    Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken);
}
