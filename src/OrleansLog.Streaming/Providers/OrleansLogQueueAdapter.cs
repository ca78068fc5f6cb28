using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// The producing side and the receiver factory. <c>OnNextAsync</c>/<c>OnNextBatchAsync</c> become one record
/// batch appended to the stream's partition (see <see cref="StreamRecordFormat"/>); the call completes once
/// the partition stored it with the provider's <see cref="OrleansLogStreamOptions.Acks"/>. Rewindable: any
/// retained offset can be subscribed from.
/// </summary>
internal sealed class OrleansLogQueueAdapter(
    string name,
    PartitionQueueMapper mapper,
    TopicProvisioner provisioner,
    PartitionAppender appender,
    Serializer serializer,
    TimeProvider time,
    Func<QueueId, PartitionQueue> queues) : IQueueAdapter
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicPartition, PartitionWriter> _writers = new();

    public string Name => name;

    public bool IsRewindable => true;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadWrite;

    public async Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext)
    {
        if (token is not null)
        {
            throw new ArgumentException(
                $"Stream {streamId}: OrleansLog assigns each event's token (its offset) when it is appended; a producer cannot pass one.", nameof(token));
        }

        QueuePartition partition = mapper.PartitionOf(streamId);
        StreamWrite write = StreamRecordFormat.Encode(streamId, events, requestContext, serializer, time.GetUtcNow().ToUnixTimeMilliseconds());
        if (!_writers.TryGetValue(partition.TopicPartition, out PartitionWriter? writer))
        {
            TopicMetadata topic = await provisioner.EnsureAsync(partition.Namespace, CancellationToken.None);
            int maxBatchBytes = Math.Max(1024, topic.Config.MaxMessageBytes - 1024);
            writer = _writers.GetOrAdd(partition.TopicPartition, tp => new PartitionWriter(tp, appender, maxBatchBytes));
        }

        await writer.WriteAsync(write);
    }

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => new PartitionReceiver(queues(queueId));
}
