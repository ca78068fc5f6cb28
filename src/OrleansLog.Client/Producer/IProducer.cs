namespace OrleansLog.Client;

/// <summary>
/// Appends records to topics. Records are grouped per partition into batches and sent by a background
/// sender, one grain call per batch; see <see cref="ProducerOptions"/> for batching, back-pressure,
/// retries and idempotence. Thread-safe; one producer per process is usually right.
/// </summary>
/// <remarks>
/// Disposing flushes: it waits until every buffered record is delivered or has failed.
/// </remarks>
public interface IProducer : IAsyncDisposable
{
    /// <summary>
    /// Produces one record and completes when it is acknowledged (per <see cref="ProducerOptions.Acks"/>) or
    /// has finally failed.
    /// </summary>
    /// <param name="cancellationToken">Cancels only the wait for topic metadata or buffer space; once the
    /// record is appended to a batch it is sent regardless (as in Kafka).</param>
    /// <exception cref="OrleansLogException">Delivery failed: the error code says why (RequestTimedOut after
    /// the delivery timeout, MessageTooLarge, UnknownTopicOrPartition, ...).</exception>
    Task<RecordMetadata> ProduceAsync(string topic, Message message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Produces one record without a task per record: the returned <see cref="ValueTask"/> completes as soon as
    /// the record is buffered (at once, unless <see cref="ProducerOptions.BufferMemoryBytes"/> is exhausted,
    /// which makes it wait: back-pressure), and <paramref name="deliveryHandler"/> is called when the record is
    /// acknowledged or has failed. The fast path for high-throughput producers (Confluent's <c>Produce</c>).
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait for metadata or buffer space.</param>
    ValueTask ProduceAsync(string topic, Message message, DeliveryHandler deliveryHandler, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends everything buffered now without waiting for linger, and completes when all of it is acknowledged
    /// or has failed. Failures are reported to each record, not thrown here.
    /// </summary>
    Task FlushAsync(CancellationToken cancellationToken = default);
}
