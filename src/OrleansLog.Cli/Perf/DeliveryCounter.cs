using System.Runtime.ExceptionServices;
using OrleansLog.Client;

namespace OrleansLog.Cli.Perf;

/// <summary>
/// One <see cref="DeliveryHandler"/> shared by every record of a benchmark: it counts acknowledgements
/// and keeps the first failure. Producing through it costs no task and no closure per record, which is
/// the point of the producer's delivery-handler API. Thread-safe.
/// </summary>
internal sealed class DeliveryCounter
{
    private long _acknowledged;
    private Exception? _failure;

    public DeliveryCounter()
    {
        Handler = OnDelivery;
    }

    public DeliveryHandler Handler { get; }

    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    public bool HasFailed => Volatile.Read(ref _failure) is not null;

    /// <summary>Rethrows the first delivery failure, if any.</summary>
    public void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure)
        {
            ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void OnDelivery(RecordMetadata? metadata, Exception? exception)
    {
        if (exception is null)
        {
            Interlocked.Increment(ref _acknowledged);
        }
        else
        {
            Interlocked.CompareExchange(ref _failure, exception, null);
        }
    }
}
