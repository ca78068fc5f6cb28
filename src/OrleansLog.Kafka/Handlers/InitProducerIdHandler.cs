using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// InitProducerId for idempotent producers: a fresh producer id from the cluster's producer-id grain, the
/// same ids the Orleans client gets, so the partitions' producer state dedupes Kafka producers' retries too.
/// A producer asking to bump its epoch (KIP-360) gets a fresh id, which it adopts with new sequences.
/// Transactional ids are refused: transactions do not exist here.
/// </summary>
internal sealed class InitProducerIdHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.InitProducerId;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var init = (InitProducerIdRequest)request;
        if (init.TransactionalId is not null)
        {
            return new InitProducerIdResponse { ErrorCode = (short)ErrorCode.InvalidRequest };
        }

        ProducerIdAndEpoch id = await grains.GetGrain<IProducerIdGrain>(IProducerIdGrain.Key).InitProducerIdAsync(cancellationToken);
        return new InitProducerIdResponse { ProducerId = id.ProducerId, ProducerEpoch = id.Epoch };
    }
}
