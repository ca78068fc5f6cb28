using Microsoft.Win32.SafeHandles;

namespace OrleansLog.Storage;

/// <summary>
/// <see cref="ILogFile"/> on a <see cref="SafeFileHandle"/> with <see cref="RandomAccess"/>: pread/pwrite
/// at explicit positions, fsync through <see cref="RandomAccess.FlushToDisk"/>. Thread-safe for concurrent
/// reads and one writer; disposing while another thread reads makes that read throw
/// <see cref="ObjectDisposedException"/> (the handle's reference count keeps an in-flight call safe).
/// </summary>
public sealed class PhysicalLogFile : ILogFile
{
    private readonly SafeFileHandle _handle;

    public PhysicalLogFile(string path, FileMode mode)
    {
        Path = path;
        // Delete sharing lets segments be renamed to .deleted while a reader still holds them (Windows).
        _handle = File.OpenHandle(path, mode, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete);
    }

    public string Path { get; }

    public long Length => RandomAccess.GetLength(_handle);

    public int Read(Span<byte> buffer, long position) => RandomAccess.Read(_handle, buffer, position);

    public void Write(ReadOnlySpan<byte> buffer, long position) => RandomAccess.Write(_handle, buffer, position);

    public void Flush() => RandomAccess.FlushToDisk(_handle);

    public void SetLength(long length) => RandomAccess.SetLength(_handle, length);

    public void Dispose() => _handle.Dispose();

    public override string ToString() => Path;
}
