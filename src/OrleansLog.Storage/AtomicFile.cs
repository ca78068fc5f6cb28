using System.Text;

namespace OrleansLog.Storage;

/// <summary>
/// Replaces a small file so that after a crash it holds either the old or the new content, never a mix:
/// write <c>{path}.tmp</c>, fsync it, rename over the target, fsync the directory (Kafka
/// <c>Utils.atomicMoveWithFallback</c> + <c>flushDir</c>). Left-over .tmp files are deleted by the log's
/// loader. Stateless; callers serialise writes to the same path.
/// </summary>
internal static class AtomicFile
{
    /// <param name="durable">
    /// False skips both fsyncs, for a hint whose old value is as safe as its new one: a crash may then leave
    /// the old file, the new one, or an empty one (which reads as malformed).
    /// </param>
    public static void WriteAllText(ILogFileSystem fileSystem, string path, string content, bool durable = true)
    {
        string temp = path + LogFileNames.TempSuffix;
        byte[] bytes = Encoding.UTF8.GetBytes(content);
        using (ILogFile file = fileSystem.OpenFile(temp, FileMode.Create))
        {
            file.Write(bytes, 0);
            if (durable)
            {
                file.Flush();
            }
        }

        fileSystem.MoveFile(temp, path, overwrite: true);
        if (durable)
        {
            fileSystem.FlushDirectory(Path.GetDirectoryName(path)!);
        }
    }

    /// <summary>The file's text, or null when it does not exist.</summary>
    public static string? ReadAllText(ILogFileSystem fileSystem, string path)
    {
        if (!fileSystem.FileExists(path))
        {
            return null;
        }

        using ILogFile file = fileSystem.OpenFile(path, FileMode.Open);
        long length = file.Length;
        if (length > 1 << 20)
        {
            throw new InvalidDataException($"'{path}' is {length} bytes; a checkpoint is never that large.");
        }

        byte[] bytes = new byte[length];
        int read = BatchScanner.ReadFully(file, bytes, 0);
        return Encoding.UTF8.GetString(bytes, 0, read);
    }
}
