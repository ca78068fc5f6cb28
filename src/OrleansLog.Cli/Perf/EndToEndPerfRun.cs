using System.Buffers.Binary;
using System.Diagnostics;
using HdrHistogram;
using OrleansLog.Cli.Output;
using OrleansLog.Client;

namespace OrleansLog.Cli.Perf;

/// <summary>
/// <c>perf e2e</c>: produces R records per second for S seconds while a consumer in the same process
/// reads them back, and records each record's latency from the moment it was handed to the producer to
/// the moment the consumer got it. Each value starts with that moment (Stopwatch ticks, big-endian) and
/// this run's random id, so records of anyone else writing to the topic are ignored.
/// </summary>
/// <remarks>
/// Value layout: bytes 0-7 send time in <see cref="Stopwatch"/> ticks, bytes 8-15 run id, then padding
/// up to the record size. Both clocks are this process's, so no clock skew enters the measurement.
/// </remarks>
internal sealed class EndToEndPerfRun(
    IOrleansLogAdmin admin,
    IProducerFactory producers,
    IConsumerFactory consumers,
    Action<ProducerOptions> configure,
    string topic,
    int ratePerSecond,
    int seconds,
    int recordSize)
{
    /// <summary>Room for the send time and the run id.</summary>
    public const int MinRecordSize = 16;

    /// <summary>Latencies above a minute are recorded as a minute; the histogram needs a bound.</summary>
    private const long HighestTrackableMicroseconds = 60_000_000;

    private readonly long _runId = Random.Shared.NextInt64();
    private readonly DeliveryCounter _counter = new();
    private readonly LongHistogram _latencies = new(HighestTrackableMicroseconds, 3);
    private long _received;

    public long Total => (long)ratePerSecond * seconds;

    public long Received => Interlocked.Read(ref _received);

    public async Task<EndToEndResultJson> RunAsync(CancellationToken cancellationToken)
    {
        // Start the consumer at today's log end, explicitly, so that no record of this run can be
        // produced before the consumer's position is known.
        IReadOnlyList<ListedOffset> end = await admin.ListOffsetsAsync(topic, OffsetSpec.Latest, cancellationToken);
        await using IConsumer consumer = consumers.CreateConsumer(o => o.AutoOffsetReset = AutoOffsetReset.Earliest);
        var assignment = new List<TopicPartitionOffset>(end.Count);
        foreach (ListedOffset offset in end)
        {
            assignment.Add(new TopicPartitionOffset(offset.TopicPartition, offset.Offset));
        }

        consumer.Assign(assignment);
        await using IProducer producer = producers.CreateProducer(configure);
        using var stopConsuming = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var clock = Stopwatch.StartNew();
        Task<TimeSpan> consuming = Task.Run(() => ConsumeAsync(consumer, clock, stopConsuming.Token), stopConsuming.Token);
        try
        {
            await ProduceAtRateAsync(producer, clock, cancellationToken);
            await producer.FlushAsync(cancellationToken);
            _counter.ThrowIfFailed();
        }
        catch
        {
            await stopConsuming.CancelAsync();
            throw;
        }

        TimeSpan elapsed = await consuming;
        long received = Received;
        PerfResultJson throughput = PerfResultJson.From(received, received * recordSize, elapsed);
        return new EndToEndResultJson(
            received,
            throughput.Seconds,
            throughput.RecordsPerS,
            throughput.MbPerS,
            _latencies.GetValueAtPercentile(50),
            _latencies.GetValueAtPercentile(99),
            _latencies.GetValueAtPercentile(99.9),
            _latencies.GetMaxValue());
    }

    /// <summary>
    /// Sends whatever is due by now (rate × elapsed time) and sleeps a millisecond in between: records go
    /// out in small bursts at the timer's resolution, and the average rate is exact.
    /// </summary>
    private async Task ProduceAtRateAsync(IProducer producer, Stopwatch clock, CancellationToken cancellationToken)
    {
        // The producer copies the value into its batch once ProduceAsync's ValueTask completes, so one
        // array is rewritten for every record.
        byte[] value = new byte[recordSize];
        Random.Shared.NextBytes(value);
        BinaryPrimitives.WriteInt64BigEndian(value.AsSpan(8), _runId);
        var message = new Message { Value = value };
        long total = Total;
        long sent = 0;
        while (sent < total && !_counter.HasFailed)
        {
            long due = Math.Min(total, (long)(clock.Elapsed.TotalSeconds * ratePerSecond));
            while (sent < due)
            {
                BinaryPrimitives.WriteInt64BigEndian(value, Stopwatch.GetTimestamp());
                ValueTask buffered = producer.ProduceAsync(topic, message, _counter.Handler, cancellationToken);
                if (!buffered.IsCompletedSuccessfully)
                {
                    await buffered;
                }

                sent++;
            }

            if (sent < total)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(1), cancellationToken);
            }
        }
    }

    /// <summary>Reads until every record of this run arrived; returns the time of the last one.</summary>
    private async Task<TimeSpan> ConsumeAsync(IConsumer consumer, Stopwatch clock, CancellationToken cancellationToken)
    {
        long total = Total;
        TimeSpan last = TimeSpan.Zero;
        while (Received < total)
        {
            ConsumeResult record = await consumer.ConsumeAsync(ConsumePerfRun.IdleTimeout, cancellationToken)
                ?? throw new CliException(
                    ErrorCode.RequestTimedOut,
                    $"no record from topic '{topic}' for {ConsumePerfRun.IdleTimeout.TotalSeconds:0} s after {Received} of {total} records");
            long now = Stopwatch.GetTimestamp();
            byte[]? value = record.Value;
            if (value is null || value.Length < MinRecordSize || BinaryPrimitives.ReadInt64BigEndian(value.AsSpan(8)) != _runId)
            {
                continue;
            }

            long sentAt = BinaryPrimitives.ReadInt64BigEndian(value);
            long micros = (long)((now - sentAt) * 1_000_000.0 / Stopwatch.Frequency);
            _latencies.RecordValue(Math.Clamp(micros, 0, HighestTrackableMicroseconds));
            last = clock.Elapsed;
            Interlocked.Increment(ref _received);
        }

        return last;
    }
}
