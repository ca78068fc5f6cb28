namespace OrleansLog.Storage;

/// <summary>
/// Which leader epoch wrote which offsets (Kafka <c>LeaderEpochFileCache</c>, KIP-101): a list of
/// (epoch, start offset) with both columns strictly increasing. A new leader's first append adds an entry;
/// truncation and log-start advances trim it. Followers use <see cref="EndOffsetFor"/> to find where their
/// log diverges from the leader's.
/// <para><b>Persistence:</b> <see cref="LeaderEpochCheckpointFile"/>, written by the log when it flushes,
/// truncates or closes. After an unclean stop the entries at or after the rescanned segments are rebuilt
/// from the batches' partitionLeaderEpoch fields, so the file only has to be as current as the recovery
/// point.</para>
/// <para><b>Thread-safety:</b> the log's owner changes it; any thread may read. Every change publishes a
/// new immutable array.</para>
/// </summary>
public sealed class LeaderEpochCache
{
    /// <summary>Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET.</summary>
    public const int UndefinedEpoch = -1;

    public const long UndefinedEpochOffset = -1;

    private readonly Func<long> _logEndOffset;
    private EpochEntry[] _entries;

    internal LeaderEpochCache(IEnumerable<EpochEntry> entries, Func<long> logEndOffset)
    {
        _entries = [.. entries];
        _logEndOffset = logEndOffset;
    }

    /// <summary>The entries, oldest first (an immutable snapshot).</summary>
    public IReadOnlyList<EpochEntry> Entries => Volatile.Read(ref _entries);

    /// <summary>The newest epoch, or <see cref="UndefinedEpoch"/> when there is none.</summary>
    public int LatestEpoch
    {
        get
        {
            EpochEntry[] entries = Volatile.Read(ref _entries);
            return entries.Length == 0 ? UndefinedEpoch : entries[^1].Epoch;
        }
    }

    /// <summary>
    /// Kafka OffsetForLeaderEpoch: the end offset of <paramref name="requestedEpoch"/> as this log knows it,
    /// and the epoch that answer belongs to.
    /// <list type="bullet">
    /// <item>the latest epoch → (epoch, log end offset);</item>
    /// <item>an older known epoch → (that epoch, start offset of the next epoch);</item>
    /// <item>an epoch between two known ones → (the largest known epoch below it, start of the next);</item>
    /// <item>an epoch below every entry → (requested epoch, start offset of the first entry);</item>
    /// <item>an epoch above every entry, <see cref="UndefinedEpoch"/>, or an empty cache →
    /// (<see cref="UndefinedEpoch"/>, <see cref="UndefinedEpochOffset"/>).</item>
    /// </list>
    /// </summary>
    public (int Epoch, long EndOffset) EndOffsetFor(int requestedEpoch)
    {
        EpochEntry[] entries = Volatile.Read(ref _entries);
        if (requestedEpoch == UndefinedEpoch || entries.Length == 0)
        {
            return (UndefinedEpoch, UndefinedEpochOffset);
        }

        if (entries[^1].Epoch == requestedEpoch)
        {
            return (requestedEpoch, _logEndOffset());
        }

        int higher = -1;
        for (int i = 0; i < entries.Length; i++)
        {
            if (entries[i].Epoch > requestedEpoch)
            {
                higher = i;
                break;
            }
        }

        if (higher < 0)
        {
            return (UndefinedEpoch, UndefinedEpochOffset);
        }

        return higher == 0
            ? (requestedEpoch, entries[0].StartOffset)
            : (entries[higher - 1].Epoch, entries[higher].StartOffset);
    }

    /// <summary>
    /// Records that <paramref name="epoch"/> starts at <paramref name="startOffset"/> (Kafka <c>assign</c>):
    /// no change when it is the latest epoch already starting at or before that offset; otherwise entries
    /// that would break monotonicity (epoch ≥ or start offset ≥ the new one) are removed first. Returns
    /// whether anything changed.
    /// </summary>
    internal bool Assign(int epoch, long startOffset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(epoch);
        ArgumentOutOfRangeException.ThrowIfNegative(startOffset);
        EpochEntry[] entries = _entries;
        if (entries.Length > 0 && entries[^1].Epoch == epoch && entries[^1].StartOffset <= startOffset)
        {
            return false;
        }

        int keep = entries.Length;
        while (keep > 0 && (entries[keep - 1].Epoch >= epoch || entries[keep - 1].StartOffset >= startOffset))
        {
            keep--;
        }

        var updated = new EpochEntry[keep + 1];
        Array.Copy(entries, updated, keep);
        updated[keep] = new EpochEntry(epoch, startOffset);
        Volatile.Write(ref _entries, updated);
        return true;
    }

    /// <summary>Replaces every entry (loading; owner only).</summary>
    internal void Replace(IEnumerable<EpochEntry> entries) => Volatile.Write(ref _entries, [.. entries]);

    /// <summary>Removes entries starting at or after <paramref name="endOffset"/> (log truncation). Returns whether any were.</summary>
    internal bool TruncateFromEnd(long endOffset)
    {
        EpochEntry[] entries = _entries;
        int keep = entries.Length;
        while (keep > 0 && entries[keep - 1].StartOffset >= endOffset)
        {
            keep--;
        }

        if (keep == entries.Length)
        {
            return false;
        }

        Volatile.Write(ref _entries, entries[..keep]);
        return true;
    }

    /// <summary>
    /// Drops entries wholly below a new log start offset; the last entry at or below it is kept and moved
    /// to start there (Kafka <c>truncateFromStart</c>). Returns whether anything changed.
    /// </summary>
    internal bool TruncateFromStart(long startOffset)
    {
        EpochEntry[] entries = _entries;
        int removed = 0;
        while (removed < entries.Length && entries[removed].StartOffset <= startOffset)
        {
            removed++;
        }

        if (removed == 0 || (removed == 1 && entries[0].StartOffset == startOffset))
        {
            return false;
        }

        var updated = new EpochEntry[entries.Length - removed + 1];
        updated[0] = new EpochEntry(entries[removed - 1].Epoch, startOffset);
        Array.Copy(entries, removed, updated, 1, entries.Length - removed);
        Volatile.Write(ref _entries, updated);
        return true;
    }
}
