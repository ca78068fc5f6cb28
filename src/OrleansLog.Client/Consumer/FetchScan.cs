using OrleansLog.Records;

namespace OrleansLog.Client;

/// <summary>What <see cref="FetchParser.Scan"/> found in one fetch.</summary>
/// <param name="NextOffset">The offset to fetch next: after the last valid batch (the corrupt batch's base offset when there is one).</param>
/// <param name="Count">Data records at or above the fetch offset in the valid prefix.</param>
/// <param name="LastOffset">The offset of the last of them; -1 when there is none.</param>
/// <param name="ValidLength">How many bytes from the start are whole, valid batches.</param>
/// <param name="Corrupt">The first batch that failed its checks, if any.</param>
internal readonly record struct FetchScan(long NextOffset, int Count, long LastOffset, int ValidLength, CorruptBatch? Corrupt);

/// <summary>A fetched batch that failed its CRC or did not decode, named by its offsets.</summary>
internal sealed record CorruptBatch(long BaseOffset, long LastOffset, InvalidRecordBatchException Problem)
{
    /// <summary>The error for the application: which partition, which offsets, what is wrong and how to skip it.</summary>
    public OrleansLogException ToException(TopicPartition partition) =>
        new(
            Problem.Error,
            $"The batch at offsets {BaseOffset}..{LastOffset} of {partition} is corrupt: {Problem.Message}. " +
            $"Every record before offset {BaseOffset} was delivered; seek to offset {LastOffset + 1} to skip the batch.",
            Problem);
}
