using System.Diagnostics;
using OrleansLog.Cli.Output;
using OrleansLog.Client;
using OrleansLog.Records;

namespace OrleansLog.Cli.Perf;

/// <summary>
/// <c>perf consume</c>: reads every partition from its log start until N records, or until the log end
/// offsets as they were when the run started. Payload bytes are key plus value.
/// </summary>
internal sealed class ConsumePerfRun(IOrleansLogAdmin admin, IConsumerFactory consumers, string topic, long? records)
{
    /// <summary>A benchmark that waits this long without a record has stalled; it fails instead of hanging.</summary>
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromSeconds(10);

    private IReadOnlyList<ListedOffset> _start = [];
    private long _consumed;

    public long Consumed => Interlocked.Read(ref _consumed);

    /// <summary>Records the run will read: known once <see cref="PrepareAsync"/> has looked at the offsets.</summary>
    public long Target { get; private set; }

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _start = await admin.ListOffsetsAsync(topic, OffsetSpec.Earliest, cancellationToken);
        IReadOnlyList<ListedOffset> end = await admin.ListOffsetsAsync(topic, OffsetSpec.Latest, cancellationToken);
        long available = 0;
        for (int i = 0; i < end.Count; i++)
        {
            available += end[i].Offset - _start[i].Offset;
        }

        Target = records is { } wanted ? Math.Min(wanted, available) : available;
    }

    public async Task<PerfResultJson> RunAsync(CancellationToken cancellationToken)
    {
        await using IConsumer consumer = consumers.CreateConsumer(o => o.AutoOffsetReset = AutoOffsetReset.Earliest);
        var assignment = new List<TopicPartitionOffset>(_start.Count);
        foreach (ListedOffset start in _start)
        {
            assignment.Add(new TopicPartitionOffset(start.TopicPartition, start.Offset));
        }

        consumer.Assign(assignment);
        long bytes = 0;
        var clock = Stopwatch.StartNew();
        while (Consumed < Target)
        {
            // The batch API hands out each fetch as a lease over its pooled bytes: the benchmark measures the
            // transport and the record walk, not one ConsumeResult allocation and copy per record.
            using ConsumedBatch batch = await consumer.ConsumeBatchAsync(IdleTimeout, cancellationToken)
                ?? throw new CliException(
                    ErrorCode.RequestTimedOut,
                    $"no record from topic '{topic}' for {IdleTimeout.TotalSeconds:0} s after {Consumed} of {Target} records");
            long wanted = Target - Consumed;
            long taken = 0;
            foreach (Record record in batch)
            {
                bytes += record.Key.Length + record.Value.Length;
                if (++taken == wanted)
                {
                    break;
                }
            }

            Interlocked.Add(ref _consumed, taken);
        }

        clock.Stop();
        return PerfResultJson.From(Consumed, bytes, clock.Elapsed);
    }
}
