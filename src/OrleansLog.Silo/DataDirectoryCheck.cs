namespace OrleansLog.Silo;

/// <summary>
/// The data directory must be a directory this process can write, checked before anything starts, so that a
/// path that is a file or a read-only disk ends start-up with one line naming it instead of a stack trace
/// from deep inside the silo's start.
/// </summary>
internal static class DataDirectoryCheck
{
    private const string ProbeName = ".olog-write-check";

    /// <exception cref="IOException">The path is a file, or cannot be created or written; the message names it.</exception>
    public static void ThrowIfUnusable(string dataDirectory)
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
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the data directory '{full}' (--data-dir) cannot be written: {ex.Message}");
        }
    }
}
