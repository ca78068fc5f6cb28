namespace OrleansLog.Storage;

/// <summary>
/// Every file and directory operation of the storage engine goes through this, so tests can fail the Nth
/// write, fail fsync or fill the disk (FASTER's <c>SimulatedFlakyDevice</c> idea). The default is
/// <see cref="PhysicalLogFileSystem"/>.
/// </summary>
public interface ILogFileSystem
{
    /// <summary>Opens a file for reading and writing.</summary>
    /// <param name="path">Full path.</param>
    /// <param name="mode"><see cref="FileMode.Open"/>, <see cref="FileMode.CreateNew"/>, <see cref="FileMode.OpenOrCreate"/> or <see cref="FileMode.Create"/>.</param>
    ILogFile OpenFile(string path, FileMode mode);

    bool FileExists(string path);

    bool DirectoryExists(string path);

    void CreateDirectory(string path);

    /// <summary>Names (not paths) of the files directly inside <paramref name="directory"/>.</summary>
    IReadOnlyList<string> GetFileNames(string directory);

    /// <summary>Deletes a file; no error when it does not exist.</summary>
    void DeleteFile(string path);

    /// <summary>Renames a file, replacing the destination when <paramref name="overwrite"/> (atomic on POSIX).</summary>
    void MoveFile(string source, string destination, bool overwrite);

    /// <summary>Deletes a directory and everything in it.</summary>
    void DeleteDirectory(string path);

    /// <summary>
    /// Makes creations, renames and deletions inside <paramref name="directory"/> durable (fsync of the
    /// directory on POSIX; a no-op where the platform has no such call).
    /// </summary>
    void FlushDirectory(string directory);
}
