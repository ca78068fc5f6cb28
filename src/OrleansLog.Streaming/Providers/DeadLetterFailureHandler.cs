using System.Buffers;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;
using OrleansLog.Client;
using OrleansLog.Grains;
using OrleansLog.Records;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Orleans hands a delivery here once its retries for one batch container are exhausted. The failure is
/// logged and, with <see cref="OrleansLogStreamOptions.DeadLetterTopic"/> set, the container's records are
/// copied to that topic as they were stored, with headers naming the subscription and the source topic,
/// partition and offset, so the poison event can be inspected and replayed. Delivery then moves on.
/// </summary>
internal sealed class DeadLetterFailureHandler(
    QueuePartition partition,
    string providerName,
    OrleansLogStreamOptions options,
    IGrainFactory grains,
    TopicProvisioner provisioner,
    PartitionAppender appender,
    TimeProvider time,
    ILogger logger) : IStreamFailureHandler
{
    public const string SubscriptionHeader = "orleans.dlq.subscription";
    public const string SourceTopicHeader = "orleans.dlq.topic";
    public const string SourcePartitionHeader = "orleans.dlq.partition";
    public const string SourceOffsetHeader = "orleans.dlq.offset";

    public bool ShouldFaultSubsriptionOnError => options.FaultSubscriptionOnError;

    public async Task OnDeliveryFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        if (options.DeadLetterTopic is not { } topic || sequenceToken is null)
        {
            StreamsLog.DeliveryFailed(logger, providerName, streamIdentity, sequenceToken?.ToString(), subscriptionId.Guid, "skipped (no dead-letter topic)");
            return;
        }

        try
        {
            int copied = await CopyToDeadLetterAsync(topic, subscriptionId, streamIdentity, sequenceToken.SequenceNumber);
            StreamsLog.DeliveryFailed(logger, providerName, streamIdentity, sequenceToken.ToString(), subscriptionId.Guid, $"{copied} record(s) copied to dead-letter topic '{topic}'");
        }
        catch (Exception ex)
        {
            StreamsLog.DeadLetterFailed(logger, streamIdentity, sequenceToken.ToString(), topic, ex);
        }
    }

    public Task OnSubscriptionFailure(GuidId subscriptionId, string streamProviderName, StreamId streamIdentity, StreamSequenceToken? sequenceToken)
    {
        StreamsLog.SubscriptionFailed(logger, providerName, streamIdentity, sequenceToken?.ToString(), subscriptionId.Guid);
        return Task.CompletedTask;
    }

    private async Task<int> CopyToDeadLetterAsync(string topic, GuidId subscription, StreamId stream, long offset)
    {
        TopicPartition source = partition.TopicPartition;
        IPartitionGrain grain = grains.GetGrain<IPartitionGrain>(source.ToGrainKey());
        FetchResult fetched = await grain.FetchAsync(new FetchRequest(offset, options.FetchMaxBytes, 0, 0));
        byte[]? bytes = null;
        try
        {
            if (fetched.Error != ErrorCode.None)
            {
                throw new OrleansLogException(fetched.Error, $"Reading {source} offset {offset} for the dead-letter copy: {fetched.Message}");
            }

            int length = fetched.Records.Length;
            bytes = ArrayPool<byte>.Shared.Rent(Math.Max(1, length));
            fetched.Records.CopyTo(bytes.AsSpan(0, length));
            using var builder = new RecordBatchBuilder(CompressionType.None, int.MaxValue / 2);
            int copied = CopyRun(bytes.AsMemory(0, length), stream, offset, subscription, builder);
            if (copied == 0)
            {
                return 0;
            }

            await provisioner.EnsureDeadLetterTopicAsync(topic, CancellationToken.None);
            TopicMetadata metadata = await grains.GetGrain<ITopicGrain>(topic).GetMetadataAsync();
            int target = Murmur2Partitioner.PartitionForKey(stream.Key.Span, Math.Max(1, metadata.PartitionCount));
            await appender.AppendAsync(new TopicPartition(topic, target), builder.SealToArray(), $"dead letter of stream {stream}", CancellationToken.None);
            return copied;
        }
        finally
        {
            fetched.Records.Dispose();
            if (bytes is not null)
            {
                ArrayPool<byte>.Shared.Return(bytes);
            }
        }
    }

    /// <summary>Copies the run of <paramref name="stream"/>'s records that starts at <paramref name="offset"/> (one batch container).</summary>
    private int CopyRun(ReadOnlyMemory<byte> data, StreamId stream, long offset, GuidId subscription, RecordBatchBuilder builder)
    {
        ReadOnlySpan<byte> key = stream.Key.Span;
        using var reader = new RecordBatchReader();
        RecordBatchSequenceEnumerator batches = RecordBatchSequence.Enumerate(data);
        while (batches.MoveNext())
        {
            RecordBatchView batch = batches.Current;
            if (batch.Header.NextOffset <= offset || batch.Header.IsControl)
            {
                continue;
            }

            int copied = 0;
            reader.Reset(batch.Memory, verifyCrc: true);
            while (reader.MoveNext())
            {
                Record record = reader.Current;
                if (record.Offset < offset)
                {
                    continue;
                }

                if (record.KeyIsNull || !record.Key.Span.SequenceEqual(key))
                {
                    if (copied > 0)
                    {
                        return copied;
                    }

                    continue;
                }

                var headers = new List<RecordHeader>(record.Headers.ToArray())
                {
                    new(SubscriptionHeader, Encoding.UTF8.GetBytes(subscription.Guid.ToString())),
                    new(SourceTopicHeader, Encoding.UTF8.GetBytes(partition.TopicPartition.Topic)),
                    new(SourcePartitionHeader, Encoding.UTF8.GetBytes(partition.TopicPartition.Partition.ToString(CultureInfo.InvariantCulture))),
                    new(SourceOffsetHeader, Encoding.UTF8.GetBytes(record.Offset.ToString(CultureInfo.InvariantCulture))),
                };
                builder.TryAppend(time.GetUtcNow().ToUnixTimeMilliseconds(), record.Key.Span, false, record.Value.Span, record.ValueIsNull, headers.ToArray());
                copied++;
            }

            if (copied > 0)
            {
                return copied;
            }
        }

        return 0;
    }
}
