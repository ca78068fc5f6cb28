namespace OrleansLog.Storage;

/// <summary>
/// A file opened only for the duration of each operation: an index holds its entries in memory and
/// writes them out rarely (roll, flush, close), so keeping its two files open would cost a partition three
/// descriptors instead of one — 30,000 for 10,000 idle partitions. Flush opens the file and fsyncs it,
/// which on Linux flushes the file's data whichever descriptor wrote it. Not thread-safe; its index's
/// owner is its only caller.
/// </summary>
internal sealed class OnDemandLogFile : ILogFile
{
    private readonly ILogFileSystem _fileSystem;

    private OnDemandLogFile(ILogFileSystem fileSystem, string path)
    {
        _fileSystem = fileSystem;
        Path = path;
    }

    public string Path { get; }

    public long Length
    {
        get
        {
            using ILogFile file = Open();
            return file.Length;
        }
    }

    /// <summary>Closes <paramref name="opened"/> and returns a file that reopens it on each use.</summary>
    public static ILogFile From(ILogFileSystem fileSystem, ILogFile opened)
    {
        string path = opened.Path;
        opened.Dispose();
        return new OnDemandLogFile(fileSystem, path);
    }

    public int Read(Span<byte> buffer, long position)
    {
        using ILogFile file = Open();
        return file.Read(buffer, position);
    }

    public void Write(ReadOnlySpan<byte> buffer, long position)
    {
        using ILogFile file = Open();
        file.Write(buffer, position);
    }

    public void Flush()
    {
        using ILogFile file = Open();
        file.Flush();
    }

    public void SetLength(long length)
    {
        using ILogFile file = Open();
        file.SetLength(length);
    }

    public void Dispose()
    {
        // Nothing is held between operations.
    }

    private ILogFile Open() => _fileSystem.OpenFile(Path, FileMode.OpenOrCreate);
}
