namespace OrleansLog.Storage;

/// <summary>
/// What the offset and time indexes share (Kafka's <c>AbstractIndex</c>): a segment's sparse index of
/// fixed-size entries, held in memory by the subclass and written to its file in 4 KiB groups (and on
/// roll, truncation and close). Entries not yet written are only missing, never wrong; recovery rebuilds
/// an index from the log. One writer (the log's owner); the subclass publishes its entries to readers.
/// </summary>
internal abstract class SparseIndex : IDisposable
{
    private const int PendingBytes = 4096;

    private readonly ILogFile _file;
    private readonly int _entrySize;
    private int _pendingCapacity;
    private byte[] _pending;
    private int _pendingCount;
    private int _writtenCount;

    /// <param name="writtenCount">Entries already in the file (loaded from it).</param>
    protected SparseIndex(ILogFile file, long baseOffset, int maxEntries, int entrySize, int writtenCount)
    {
        _file = file;
        BaseOffset = baseOffset;
        MaxEntries = maxEntries;
        _entrySize = entrySize;
        _pendingCapacity = PendingBytes / entrySize;
        _pending = new byte[_pendingCapacity * entrySize];
        _writtenCount = writtenCount;
    }

    public long BaseOffset { get; }

    /// <summary>Entries that fit in <see cref="PartitionLogOptions.MaxIndexBytes"/>; the segment rolls at this count.</summary>
    public int MaxEntries { get; }

    public string Path => _file.Path;

    /// <summary>The file, for fsync by the commit scheduler.</summary>
    public ILogFile File => _file;

    /// <summary>Entries published to readers.</summary>
    public abstract int Count { get; }

    public bool IsFull => Count >= MaxEntries;

    /// <summary>Writes entries held in memory to the file (owner only).</summary>
    public void WritePending()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        _file.Write(_pending.AsSpan(0, _pendingCount * _entrySize), (long)_writtenCount * _entrySize);
        _writtenCount += _pendingCount;
        _pendingCount = 0;
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Where the next entry's bytes go; call <see cref="QueuePendingSlot"/> once they are there.</summary>
    protected Span<byte> PendingSlot() => _pending.AsSpan(_pendingCount * _entrySize, _entrySize);

    /// <summary>
    /// While set, entries stay in memory when the pending buffer fills (it grows) instead of being written:
    /// recovery rebuilds a segment's indexes before it knows the disk can take them, and a full disk must not
    /// stop a log from opening. <see cref="WritePending"/> writes them.
    /// </summary>
    public bool DeferWrites { get; set; }

    protected void QueuePendingSlot()
    {
        if (++_pendingCount == _pendingCapacity)
        {
            if (DeferWrites)
            {
                _pendingCapacity *= 2;
                Array.Resize(ref _pending, _pendingCapacity * _entrySize);
            }
            else
            {
                WritePending();
            }
        }
    }

    /// <summary>The file keeps its first <paramref name="keep"/> entries (the subclass already cut its memory).</summary>
    protected void TruncateFileToEntries(int keep)
    {
        if (keep <= _writtenCount)
        {
            _file.SetLength((long)keep * _entrySize);
            _writtenCount = keep;
            _pendingCount = 0;
        }
        else
        {
            _pendingCount = keep - _writtenCount;
        }
    }
}
