using System.Buffers.Binary;
using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Produce: each partition's record batches go to its leader grain as they arrived (no re-encoding), one
/// batch after another; partitions proceed side by side. acks=0 gets no answer. Versions 0-2 are advertised
/// but refused with UNSUPPORTED_VERSION (older librdkafka turns compression off when they are missing).
/// </summary>
internal sealed class ProduceHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.Produce;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var produce = (ProduceRequest)request;
        Acks? acks = produce.Acks switch { 0 => Acks.None, 1 => Acks.Leader, -1 => Acks.All, _ => null };
        var response = new ProduceResponse();
        foreach (ProduceRequest.TopicData topic in produce.Topics)
        {
            ProduceResponse.PartitionResponse[] partitions = await Task.WhenAll(topic.Partitions.Select(partition =>
                header.ApiVersion < 3 ? Task.FromResult(Failure(partition.Index, ErrorCode.UnsupportedVersion, $"Produce v{header.ApiVersion} is not supported; use version 3 or later"))
                : acks is not { } mode ? Task.FromResult(Failure(partition.Index, ErrorCode.InvalidRequiredAcks, $"acks={produce.Acks} is not one of 0, 1, -1"))
                : AppendAsync(topic.Name, partition, mode, cancellationToken)));
            response.Responses.Add(new ProduceResponse.TopicResponse { Name = topic.Name, Partitions = [.. partitions] });
        }

        return produce.Acks == 0 ? null : response;
    }

    private async Task<ProduceResponse.PartitionResponse> AppendAsync(string topic, ProduceRequest.PartitionData partition, Acks acks, CancellationToken cancellationToken)
    {
        if (partition.Records is not { Length: > 0 } records)
        {
            return Failure(partition.Index, ErrorCode.CorruptMessage, $"{topic}-{partition.Index}: the request holds no record batch");
        }

        IPartitionGrain grain = grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition.Index).ToGrainKey());
        AppendResult first = default;
        int position = 0;
        int index = 0;
        while (position < records.Length)
        {
            if (records.Length - position < 12)
            {
                return Failure(partition.Index, ErrorCode.CorruptMessage, $"{topic}-{partition.Index}: {records.Length - position} trailing bytes after batch {index} are not a batch");
            }

            int length = BinaryPrimitives.ReadInt32BigEndian(records.Span[(position + 8)..]);
            if (length < 0 || length > records.Length - position - 12)
            {
                return Failure(partition.Index, ErrorCode.CorruptMessage, $"{topic}-{partition.Index}: batch {index} claims {length} bytes, {records.Length - position - 12} remain");
            }

            AppendResult result = await grain.AppendAsync(new RecordBatchPayload(records.Slice(position, 12 + length).ToArray()), acks, cancellationToken);
            if (!result.IsSuccess)
            {
                return Failure(partition.Index, result.Error, result.Message ?? result.Error.ToString());
            }

            first = index == 0 ? result : first;
            position += 12 + length;
            index++;
        }

        return new ProduceResponse.PartitionResponse
        {
            Index = partition.Index,
            BaseOffset = first.BaseOffset,
            LogAppendTimeMs = first.LogAppendTimeMs,
            LogStartOffset = first.LogStartOffset,
        };
    }

    private static ProduceResponse.PartitionResponse Failure(int partition, ErrorCode error, string message) => new()
    {
        Index = partition,
        ErrorCode = (short)error,
        BaseOffset = -1,
        ErrorMessage = message,
    };
}
