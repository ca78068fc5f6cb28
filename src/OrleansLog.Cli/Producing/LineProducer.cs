using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Output;
using OrleansLog.Client;

namespace OrleansLog.Cli.Producing;

/// <summary>
/// Produces one record per input line without waiting for each one: records go to the producer as fast
/// as it buffers them, and their acknowledgements are collected in input order from a bounded window of
/// pending tasks. Awaiting the oldest task only when the window is full keeps metadata lines in input
/// order while the producer batches and pipelines freely; the window bounds the tasks held (the
/// producer's buffer memory bounds the bytes). The first failed record ends the run with its error.
/// </summary>
internal sealed class LineProducer(IProducer producer, string topic, int? partition, KeySeparator? keySeparator, TextWriter? metadataOutput)
{
    /// <summary>
    /// Records awaiting acknowledgement. 16384 lines of 100 bytes are 1.6 MB, about 25 batches of the
    /// default 64 KiB: enough that the window never stalls a producer that pipelines five batches per
    /// partition, small enough that a failure is reported soon after it happens.
    /// </summary>
    public const int PendingWindow = 16384;

    private readonly Queue<Task<RecordMetadata>> _pending = new(PendingWindow);

    /// <summary>Records acknowledged so far.</summary>
    public long Acknowledged { get; private set; }

    public async Task RunAsync(LineReader input, CancellationToken cancellationToken)
    {
        long lineNumber = 0;
        while (true)
        {
            (bool read, ReadOnlyMemory<byte> line) = await input.ReadLineAsync(cancellationToken);
            if (!read)
            {
                break;
            }

            lineNumber++;
            Message message = CreateMessage(line.Span, lineNumber);
            if (_pending.Count == PendingWindow)
            {
                await CompleteOldestAsync();
            }

            _pending.Enqueue(producer.ProduceAsync(topic, message, cancellationToken));
        }

        await producer.FlushAsync(cancellationToken);
        while (_pending.Count > 0)
        {
            await CompleteOldestAsync();
        }
    }

    private Message CreateMessage(ReadOnlySpan<byte> line, long lineNumber)
    {
        if (keySeparator is null)
        {
            return new Message { Value = line.ToArray(), Partition = partition };
        }

        (byte[] key, byte[] value) = keySeparator.Split(line, lineNumber);
        return new Message { Key = key, Value = value, Partition = partition };
    }

    private async Task CompleteOldestAsync()
    {
        RecordMetadata metadata = await _pending.Dequeue();
        Acknowledged++;
        if (metadataOutput is not null)
        {
            await metadataOutput.WriteLineAsync(CliJson.Serialize(new ProducedRecordJson(metadata.Partition, metadata.Offset)));
        }
    }
}
