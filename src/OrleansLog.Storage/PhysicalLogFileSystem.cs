using System.Runtime.InteropServices;

namespace OrleansLog.Storage;

/// <summary>
/// The real file system: <see cref="PhysicalLogFile"/> for files, <see cref="File"/>/<see cref="Directory"/>
/// for the rest, and a directory fsync through libc on Linux and macOS so that a rename (checkpoint
/// files, segment deletion) survives a power loss (Kafka <c>Utils.flushDir</c>). Stateless and thread-safe.
/// </summary>
public sealed class PhysicalLogFileSystem : ILogFileSystem
{
    /// <summary>The shared instance.</summary>
    public static PhysicalLogFileSystem Instance { get; } = new();

    public ILogFile OpenFile(string path, FileMode mode) => new PhysicalLogFile(path, mode);

    public bool FileExists(string path) => File.Exists(path);

    public bool DirectoryExists(string path) => Directory.Exists(path);

    public void CreateDirectory(string path) => Directory.CreateDirectory(path);

    public IReadOnlyList<string> GetFileNames(string directory)
    {
        string[] paths = Directory.GetFiles(directory);
        var names = new string[paths.Length];
        for (int i = 0; i < paths.Length; i++)
        {
            names[i] = Path.GetFileName(paths[i]);
        }

        return names;
    }

    public void DeleteFile(string path) => File.Delete(path);

    public void MoveFile(string source, string destination, bool overwrite) => File.Move(source, destination, overwrite);

    public void DeleteDirectory(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
    }

    public void FlushDirectory(string directory)
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            DirectorySync.Flush(directory);
        }
    }

    /// <summary>open(O_RDONLY | O_DIRECTORY) + fsync + close; .NET has no API that opens a directory.</summary>
    private static class DirectorySync
    {
        private const int ReadOnly = 0;

        public static void Flush(string directory)
        {
            int fd = Open(directory, ReadOnly);
            if (fd < 0)
            {
                int errno = Marshal.GetLastPInvokeError();
                throw new IOException($"Cannot open directory '{directory}' to fsync it: errno {errno}.");
            }

            try
            {
                if (Fsync(fd) != 0)
                {
                    int errno = Marshal.GetLastPInvokeError();
                    throw new IOException($"fsync of directory '{directory}' failed: errno {errno}.");
                }
            }
            finally
            {
                _ = Close(fd);
            }
        }

        [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false, ThrowOnUnmappableChar = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        private static extern int Close(int fd);
    }
}
