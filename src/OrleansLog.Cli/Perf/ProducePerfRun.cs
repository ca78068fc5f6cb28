using System.Diagnostics;
using OrleansLog.Cli.Output;
using OrleansLog.Client;

namespace OrleansLog.Cli.Perf;

/// <summary>
/// <c>perf produce</c>: K producers send N records of B random bytes between them, as fast as each one
/// buffers, through the delivery-handler API (no task per record). The clock stops when the last record
/// is acknowledged.
/// </summary>
internal sealed class ProducePerfRun(IProducerFactory producers, Action<ProducerOptions> configure, string topic, long records, int recordSize, int producerCount)
{
    private readonly DeliveryCounter _counter = new();

    public long Acknowledged => _counter.Acknowledged;

    public async Task<PerfResultJson> RunAsync(CancellationToken cancellationToken)
    {
        var instances = new IProducer[producerCount];
        for (int i = 0; i < instances.Length; i++)
        {
            instances[i] = producers.CreateProducer(configure);
        }

        try
        {
            var clock = Stopwatch.StartNew();
            var shares = new Task[instances.Length];
            for (int i = 0; i < instances.Length; i++)
            {
                long share = records / producerCount + (i < records % producerCount ? 1 : 0);
                IProducer producer = instances[i];
                shares[i] = Task.Run(() => ProduceShareAsync(producer, share, cancellationToken), cancellationToken);
            }

            await Task.WhenAll(shares);
            _counter.ThrowIfFailed();
            clock.Stop();
            return PerfResultJson.From(_counter.Acknowledged, _counter.Acknowledged * recordSize, clock.Elapsed);
        }
        finally
        {
            foreach (IProducer producer in instances)
            {
                await producer.DisposeAsync();
            }
        }
    }

    private async Task ProduceShareAsync(IProducer producer, long count, CancellationToken cancellationToken)
    {
        // The producer copies the value into its batch, so one array serves every record.
        byte[] payload = new byte[recordSize];
        Random.Shared.NextBytes(payload);
        var message = new Message { Value = payload };
        for (long i = 0; i < count; i++)
        {
            if ((i & 1023) == 0 && _counter.HasFailed)
            {
                break;
            }

            ValueTask buffered = producer.ProduceAsync(topic, message, _counter.Handler, cancellationToken);
            if (!buffered.IsCompletedSuccessfully)
            {
                await buffered;
            }
        }

        await producer.FlushAsync(cancellationToken);
    }
}
