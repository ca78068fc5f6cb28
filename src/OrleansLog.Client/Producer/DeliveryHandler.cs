namespace OrleansLog.Client;

/// <summary>
/// Receives the outcome of one record produced with
/// <see cref="IProducer.ProduceAsync(string, Message, DeliveryHandler, CancellationToken)"/>: the metadata on
/// success (exception null), or the exception on failure (metadata null). Called on a thread-pool thread,
/// once per record, in offset order within a partition; it should be quick, because the handlers of one
/// batch run one after another. An exception it throws is logged and otherwise ignored.
/// </summary>
public delegate void DeliveryHandler(RecordMetadata? metadata, Exception? exception);
