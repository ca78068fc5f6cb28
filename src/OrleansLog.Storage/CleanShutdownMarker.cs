using System.Globalization;

namespace OrleansLog.Storage;

/// <summary>
/// The <c>.kafka_cleanshutdown</c> file of a partition directory: written (atomically, last) by a graceful
/// <see cref="PartitionLog.Close"/> after everything is flushed, deleted by <see cref="PartitionLog.Open"/>
/// before anything is appended. Its presence lets the loader skip the rescan. Unlike Kafka's empty marker
/// it records what the log looked like at close:
/// <code>
/// 0                       version
/// 1500                    log end offset
/// 1000                    base offset of the active segment
/// 524288                  size of the active segment's .log in bytes
/// </code>
/// so a stale marker (one whose deletion did not reach the disk before a later crash) does not match the
/// files and is ignored. Stateless; the log serialises access.
/// </summary>
internal static class CleanShutdownMarker
{
    public readonly record struct State(long LogEndOffset, long ActiveSegmentBaseOffset, long ActiveSegmentSize);

    public static void Write(ILogFileSystem fileSystem, string directory, State state) =>
        AtomicFile.WriteAllText(
            fileSystem,
            Path.Combine(directory, LogFileNames.CleanShutdownMarker),
            string.Create(CultureInfo.InvariantCulture, $"0\n{state.LogEndOffset}\n{state.ActiveSegmentBaseOffset}\n{state.ActiveSegmentSize}\n"));

    /// <summary>Reads and deletes the marker (durably); null when absent or unreadable.</summary>
    public static State? Consume(ILogFileSystem fileSystem, string directory)
    {
        string path = Path.Combine(directory, LogFileNames.CleanShutdownMarker);
        string? text;
        try
        {
            text = AtomicFile.ReadAllText(fileSystem, path);
        }
        catch (InvalidDataException)
        {
            text = "";
        }

        if (text is null)
        {
            return null;
        }

        fileSystem.DeleteFile(path);
        fileSystem.FlushDirectory(directory);
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length == 4
            && lines[0] == "0"
            && long.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out long logEndOffset)
            && long.TryParse(lines[2], NumberStyles.None, CultureInfo.InvariantCulture, out long activeBase)
            && long.TryParse(lines[3], NumberStyles.None, CultureInfo.InvariantCulture, out long activeSize))
        {
            return new State(logEndOffset, activeBase, activeSize);
        }

        return null;
    }
}
