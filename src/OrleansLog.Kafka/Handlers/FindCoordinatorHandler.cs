using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// FindCoordinator: every group's coordinator is the broker that answers (its calls reach the group's
/// coordinator grain wherever it runs). Transaction coordinators do not exist: COORDINATOR_NOT_AVAILABLE.
/// </summary>
internal sealed class FindCoordinatorHandler(KafkaBroker broker) : IKafkaApiHandler
{
    private const sbyte TransactionKey = 1;

    public ApiKey ApiKey => ApiKey.FindCoordinator;

    public Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var find = (FindCoordinatorRequest)request;
        (short error, string? message) = find.KeyType == TransactionKey
            ? ((short)ErrorCode.CoordinatorNotAvailable, "transactions are not supported by this broker")
            : ((short)0, (string?)null);
        var response = new FindCoordinatorResponse
        {
            ErrorCode = error,
            ErrorMessage = message,
            NodeId = error == 0 ? broker.BrokerId : -1,
            Host = error == 0 ? broker.Host : string.Empty,
            Port = error == 0 ? broker.Port : -1,
            Coordinators =
            [
                .. find.CoordinatorKeys.Select(key => new FindCoordinatorResponse.Coordinator
                {
                    Key = key,
                    ErrorCode = error,
                    ErrorMessage = message,
                    NodeId = error == 0 ? broker.BrokerId : -1,
                    Host = error == 0 ? broker.Host : string.Empty,
                    Port = error == 0 ? broker.Port : -1,
                }),
            ],
        };
        return Task.FromResult<object?>(response);
    }
}
