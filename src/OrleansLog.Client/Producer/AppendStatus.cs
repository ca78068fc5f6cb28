namespace OrleansLog.Client;

/// <summary>The outcome of <see cref="PartitionQueue.TryAppend"/>.</summary>
internal enum AppendStatus
{
    /// <summary>The record joined the open batch.</summary>
    Appended,

    /// <summary>The record opened a new batch: the sender must schedule its linger deadline.</summary>
    AppendedToNewBatch,

    /// <summary>Not appended: a new batch would be needed and the caller asked to choose again first.</summary>
    NewBatchRequired,
}
