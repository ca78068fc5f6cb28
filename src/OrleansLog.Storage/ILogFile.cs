namespace OrleansLog.Storage;

/// <summary>
/// One open file of a log: reads and writes at explicit positions (no shared file pointer, so readers
/// and the single writer never disturb each other), fsync, length. The default implementation sits on
/// <see cref="RandomAccess"/> and a <see cref="Microsoft.Win32.SafeHandles.SafeFileHandle"/>; tests wrap
/// it to inject faults. Implementations must allow concurrent <see cref="Read"/> calls with one writer.
/// </summary>
public interface ILogFile : IDisposable
{
    /// <summary>Full path of the file.</summary>
    string Path { get; }

    /// <summary>Current length of the file in bytes.</summary>
    long Length { get; }

    /// <summary>Reads up to <c>buffer.Length</c> bytes at <paramref name="position"/>; returns the count (0 at end of file).</summary>
    int Read(Span<byte> buffer, long position);

    /// <summary>Writes all of <paramref name="buffer"/> at <paramref name="position"/> into the page cache; may write part and then throw.</summary>
    void Write(ReadOnlySpan<byte> buffer, long position);

    /// <summary>Forces the file's data and size to stable storage (fsync).</summary>
    void Flush();

    /// <summary>Truncates or extends the file.</summary>
    void SetLength(long length);
}
