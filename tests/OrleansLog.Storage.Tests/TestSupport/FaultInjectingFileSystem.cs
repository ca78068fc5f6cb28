namespace OrleansLog.Storage.Tests.TestSupport;

/// <summary>
/// Decorator over the real file system that injects the faults the failure model lists (FASTER's
/// <c>SimulatedFlakyDevice</c> idea): fail the Nth write, fail every fsync, a full disk (ENOSPC after a
/// byte budget, optionally landing a partial write first), and a gate that holds fsyncs until released.
/// Faults apply only to files whose path matches <see cref="AppliesTo"/> (by default .log files).
/// Thread-safe: counters are interlocked, settings are read on each call.
/// </summary>
internal sealed class FaultInjectingFileSystem : ILogFileSystem
{
    private readonly ILogFileSystem _inner = PhysicalLogFileSystem.Instance;
    private int _writes;
    private int _flushesStarted;
    private int _flushesCompleted;
    private long _bytesWritten;

    /// <summary>Which files the faults and counters apply to.</summary>
    public Func<string, bool> AppliesTo { get; set; } = path => path.EndsWith(".log", StringComparison.Ordinal);

    /// <summary>1-based number of the matching write that throws; 0 disables.</summary>
    public int FailWriteNumber { get; set; }

    /// <summary>When true, every matching fsync throws (EIO).</summary>
    public bool FailFlush { get; set; }

    /// <summary>Bytes the matching files may still receive before writes fail with ENOSPC; -1 disables.</summary>
    public long DiskFullAfterBytes { get; set; } = -1;

    /// <summary>When set, a matching fsync waits for it before proceeding.</summary>
    public ManualResetEventSlim? FlushGate { get; set; }

    public int Writes => Volatile.Read(ref _writes);

    public int FlushesStarted => Volatile.Read(ref _flushesStarted);

    public int FlushesCompleted => Volatile.Read(ref _flushesCompleted);

    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    public ILogFile OpenFile(string path, FileMode mode)
    {
        ILogFile file = _inner.OpenFile(path, mode);
        return AppliesTo(path) ? new FaultInjectingFile(this, file) : file;
    }

    public bool FileExists(string path) => _inner.FileExists(path);

    public bool DirectoryExists(string path) => _inner.DirectoryExists(path);

    public void CreateDirectory(string path) => _inner.CreateDirectory(path);

    public IReadOnlyList<string> GetFileNames(string directory) => _inner.GetFileNames(directory);

    public void DeleteFile(string path) => _inner.DeleteFile(path);

    public void MoveFile(string source, string destination, bool overwrite) => _inner.MoveFile(source, destination, overwrite);

    public void DeleteDirectory(string path) => _inner.DeleteDirectory(path);

    /// <summary>Every directory fsynced, in order (all directories, whatever <see cref="AppliesTo"/> says).</summary>
    public System.Collections.Concurrent.ConcurrentQueue<string> FlushedDirectories { get; } = new();

    public void FlushDirectory(string directory)
    {
        FlushedDirectories.Enqueue(directory);
        _inner.FlushDirectory(directory);
    }

    private sealed class FaultInjectingFile(FaultInjectingFileSystem owner, ILogFile inner) : ILogFile
    {
        public string Path => inner.Path;

        public long Length => inner.Length;

        public int Read(Span<byte> buffer, long position) => inner.Read(buffer, position);

        public void Write(ReadOnlySpan<byte> buffer, long position)
        {
            int number = Interlocked.Increment(ref owner._writes);
            if (owner.FailWriteNumber > 0 && number == owner.FailWriteNumber)
            {
                throw new IOException($"Injected write failure on write #{number} to '{Path}' (EIO).");
            }

            long budget = owner.DiskFullAfterBytes;
            if (budget >= 0)
            {
                long remaining = budget - Interlocked.Read(ref owner._bytesWritten);
                if (remaining < buffer.Length)
                {
                    int partial = (int)Math.Max(0, remaining);
                    if (partial > 0)
                    {
                        inner.Write(buffer[..partial], position);
                        Interlocked.Add(ref owner._bytesWritten, partial);
                    }

                    // HResult 28: ENOSPC as .NET reports it on Linux.
                    throw new IOException(
                        $"No space left on device (ENOSPC, injected): wrote {partial} of {buffer.Length} bytes to '{Path}'.", 28);
                }
            }

            inner.Write(buffer, position);
            Interlocked.Add(ref owner._bytesWritten, buffer.Length);
        }

        public void Flush()
        {
            Interlocked.Increment(ref owner._flushesStarted);
            owner.FlushGate?.Wait();
            if (owner.FailFlush)
            {
                throw new IOException($"Injected fsync failure on '{Path}' (EIO).");
            }

            inner.Flush();
            Interlocked.Increment(ref owner._flushesCompleted);
        }

        public void SetLength(long length) => inner.SetLength(length);

        public void Dispose() => inner.Dispose();
    }
}
