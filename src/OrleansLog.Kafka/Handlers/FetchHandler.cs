using OrleansLog.Grains;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;
using KafkaFetchRequest = OrleansLog.Kafka.Protocol.Messages.FetchRequest;

namespace OrleansLog.Kafka.Handlers;

/// <summary>
/// Fetch (read_uncommitted, no fetch sessions: every request is full and session id 0 is the answer):
/// every partition is read at once from its leader grain — whole batches, the first even when larger than
/// the limit. When that brings fewer than min.bytes and the client may wait, every partition long-polls and
/// the answer goes out as soon as one brings records (the others are cancelled) or the wait ends.
/// </summary>
internal sealed class FetchHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.Fetch;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var fetch = (KafkaFetchRequest)request;
        (string Topic, KafkaFetchRequest.FetchPartition Partition)[] wanted = [.. fetch.Topics.SelectMany(t => t.Partitions.Select(p => (t.Topic, p)))];
        FetchResult[] results = await Task.WhenAll(wanted.Select(w => ReadAsync(w.Topic, w.Partition, 0, cancellationToken)));
        long bytes = results.Sum(r => (long)r.Records.Length);
        if (bytes < Math.Max(1, fetch.MinBytes) && fetch.MaxWaitMs > 0 && wanted.Length > 0)
        {
            foreach (FetchResult empty in results)
            {
                empty.Records.Dispose();
            }

            results = await LongPollAsync(wanted, fetch.MaxWaitMs, results, cancellationToken);
        }

        var response = new FetchResponse();
        for (int i = 0; i < wanted.Length; i++)
        {
            (string topic, KafkaFetchRequest.FetchPartition partition) = wanted[i];
            if (response.Responses.Count == 0 || response.Responses[^1].Topic != topic)
            {
                response.Responses.Add(new FetchResponse.TopicResponse { Topic = topic });
            }

            response.Responses[^1].Partitions.Add(ToPartitionData(partition.Partition, results[i]));
        }

        return response;
    }

    /// <summary>Every partition waits up to <paramref name="maxWaitMs"/>; the first with records ends the wait for all.</summary>
    private async Task<FetchResult[]> LongPollAsync(
        (string Topic, KafkaFetchRequest.FetchPartition Partition)[] wanted, int maxWaitMs, FetchResult[] immediate, CancellationToken cancellationToken)
    {
        using var done = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task<FetchResult>[] polls = [.. wanted.Select(w => ReadAsync(w.Topic, w.Partition, maxWaitMs, done.Token))];
        var pending = new List<Task<FetchResult>>(polls);
        while (pending.Count > 0)
        {
            Task<FetchResult> finished = await Task.WhenAny(pending);
            pending.Remove(finished);
            if (finished.IsCompletedSuccessfully && (finished.Result.Records.Length > 0 || finished.Result.Error != ErrorCode.None))
            {
                break;
            }
        }

        await done.CancelAsync();
        var results = new FetchResult[wanted.Length];
        for (int i = 0; i < polls.Length; i++)
        {
            try
            {
                results[i] = await polls[i];
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                results[i] = immediate[i] with { Records = new Orleans.Serialization.Buffers.PooledBuffer() };
            }
        }

        return results;
    }

    private Task<FetchResult> ReadAsync(string topic, KafkaFetchRequest.FetchPartition partition, int maxWaitMs, CancellationToken cancellationToken) =>
        grains.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition.Partition).ToGrainKey())
            .FetchAsync(new OrleansLog.FetchRequest(partition.FetchOffset, Math.Max(1, partition.PartitionMaxBytes), 1, maxWaitMs), cancellationToken);

    private static FetchResponse.PartitionData ToPartitionData(int partition, FetchResult result)
    {
        using (result.Records)
        {
            return result.Error != ErrorCode.None
                ? new FetchResponse.PartitionData { PartitionIndex = partition, ErrorCode = (short)result.Error, HighWatermark = -1, Records = ReadOnlyMemory<byte>.Empty }
                : new FetchResponse.PartitionData
                {
                    PartitionIndex = partition,
                    HighWatermark = result.HighWatermark,
                    LastStableOffset = result.HighWatermark,
                    LogStartOffset = result.LogStartOffset,
                    Records = result.Records.Length > 0 ? result.Records.ToArray() : ReadOnlyMemory<byte>.Empty,
                };
        }
    }
}
