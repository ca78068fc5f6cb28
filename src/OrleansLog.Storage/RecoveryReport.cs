namespace OrleansLog.Storage;

/// <summary>
/// What <see cref="PartitionLog.Open"/> found and changed while loading a log: how much it rescanned,
/// what it cut and why, which segments it deleted and which indexes it rebuilt. The same facts go to the
/// log as one message (Kafka prints them from <c>LogLoader</c>).
/// </summary>
public sealed record RecoveryReport
{
    /// <summary>True when a valid clean-shutdown marker let the load skip the rescan.</summary>
    public required bool WasCleanShutdown { get; init; }

    /// <summary>The recovery point read from the checkpoint (0 when missing or unreadable).</summary>
    public required long CheckpointedRecoveryPoint { get; init; }

    /// <summary>Segments whose batches were all revalidated (length, magic, CRC-32C, offsets).</summary>
    public required int SegmentsScanned { get; init; }

    /// <summary>Bytes revalidated.</summary>
    public required long BytesScanned { get; init; }

    /// <summary>Bytes cut from the segment that held the first bad byte (later deleted segments not counted).</summary>
    public required long BytesTruncated { get; init; }

    /// <summary>The offset the log ends at after the cut (the first offset lost), or null when nothing was cut.</summary>
    public long? FirstTruncatedOffset { get; init; }

    /// <summary>Byte position of the cut in <see cref="TruncatedFile"/>, or null when nothing was cut.</summary>
    public long? TruncatedPosition { get; init; }

    /// <summary>The .log file that was cut, or null when nothing was cut.</summary>
    public string? TruncatedFile { get; init; }

    /// <summary>Why the batch at the cut was rejected (e.g. "CRC mismatch: stored 0x…, computed 0x…").</summary>
    public string? Reason { get; init; }

    /// <summary>.log files deleted because they came after the cut or were left over.</summary>
    public required IReadOnlyList<string> DeletedSegments { get; init; }

    /// <summary>Index files (.index/.timeindex) rebuilt from the log.</summary>
    public required IReadOnlyList<string> RebuiltIndexes { get; init; }

    /// <summary>The log start offset after loading.</summary>
    public required long LogStartOffset { get; init; }

    /// <summary>The log end offset after loading.</summary>
    public required long LogEndOffset { get; init; }

    /// <summary>Wall-clock time the load took.</summary>
    public required TimeSpan Duration { get; init; }

    /// <summary>One line for logs, e.g. "unclean shutdown; rescanned 2 segments (1048576 bytes); cut 37 bytes …".</summary>
    public override string ToString()
    {
        string cut = TruncatedFile is null
            ? "nothing cut"
            : $"cut {BytesTruncated} bytes at position {TruncatedPosition} of '{TruncatedFile}' (offset {FirstTruncatedOffset}): {Reason}";
        return $"{(WasCleanShutdown ? "clean" : "unclean")} shutdown; rescanned {SegmentsScanned} segments ({BytesScanned} bytes); {cut}; " +
            $"deleted {DeletedSegments.Count} files; rebuilt {RebuiltIndexes.Count} index files; offsets [{LogStartOffset}, {LogEndOffset}); took {Duration.TotalMilliseconds:F1} ms";
    }
}
