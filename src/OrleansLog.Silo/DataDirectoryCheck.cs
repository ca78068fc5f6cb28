namespace OrleansLog.Silo;

/// <summary>
/// The data directory must be a directory this process can write, checked before anything starts, so that a
/// path that is a file or a read-only disk ends start-up with one line naming it instead of a stack trace
/// from deep inside the silo's start. A directory on a full disk is usable: the silo starts with a warning.
/// </summary>
internal static class DataDirectoryCheck
{
    private const string ProbeName = ".olog-write-check";

    /// <summary>ENOSPC, as .NET reports it on Linux (the errno in <see cref="Exception.HResult"/>).</summary>
    private const int NoSpaceLeftOnDevice = 28;

    /// <returns>A warning to print when the directory is usable but full; null when all is well.</returns>
    /// <exception cref="IOException">The path is a file, or cannot be created or written; the message names it.</exception>
    public static string? ThrowIfUnusable(string dataDirectory)
    {
        string full = Path.GetFullPath(dataDirectory);
        if (File.Exists(full))
        {
            throw new IOException($"the data directory '{full}' (--data-dir) is a file, not a directory");
        }

        try
        {
            Directory.CreateDirectory(full);
            string probe = Path.Combine(full, ProbeName);
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
        }
        catch (IOException ex) when (ex.HResult == NoSpaceLeftOnDevice)
        {
            // A full disk is not a reason to stay down: the logs open, serve reads, and take writes again once
            // space is freed (each failed log is reported on /health meanwhile).
            TryDelete(Path.Combine(full, ProbeName));
            return $"the data directory '{full}' (--data-dir) is full ({ex.Message}); starting anyway: reads are served, writes fail until space is freed";
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the data directory '{full}' (--data-dir) cannot be written: {ex.Message}");
        }

        return null;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Left behind: it is an empty probe, overwritten by the next start.
        }
    }
}
