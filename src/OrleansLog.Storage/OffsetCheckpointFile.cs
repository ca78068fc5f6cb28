using System.Globalization;

namespace OrleansLog.Storage;

/// <summary>
/// A one-partition offset checkpoint in Kafka's checkpoint text format (<c>CheckpointFile.java</c>), used
/// for <c>recovery-point-offset-checkpoint</c>, <c>log-start-offset-checkpoint</c> and <c>replication-offset-checkpoint</c>. Kafka keeps one such
/// file per log directory for all partitions; here each partition directory has its own, so a partition's
/// files move and vanish together:
/// <code>
/// 0                 version
/// 1                 number of entries
/// orders 3 1500     topic partition offset
/// </code>
/// <para><b>Crash behaviour:</b> replaced atomically (<see cref="AtomicFile"/>). A missing or malformed file
/// reads as null: the loader then assumes the conservative value (recovery point 0, log start offset = the
/// first segment's base offset).</para>
/// <para><b>Thread-safety:</b> stateless; the log serialises writes.</para>
/// </summary>
internal static class OffsetCheckpointFile
{
    public static void Write(ILogFileSystem fileSystem, string path, string topic, int partition, long offset) =>
        AtomicFile.WriteAllText(fileSystem, path, Format(topic, partition, offset));

    /// <summary>The file's content for one partition's offset.</summary>
    public static string Format(string topic, int partition, long offset) =>
        string.Create(CultureInfo.InvariantCulture, $"0\n1\n{topic} {partition} {offset}\n");

    /// <summary>The offset, or null with <paramref name="problem"/> set when missing or malformed.</summary>
    public static long? Read(ILogFileSystem fileSystem, string path, out string? problem)
    {
        string? text = AtomicFile.ReadAllText(fileSystem, path);
        if (text is null)
        {
            problem = "the file is missing";
            return null;
        }

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length != 3 || lines[0].Trim() != "0" || lines[1].Trim() != "1")
        {
            problem = $"expected 'version 0, 1 entry, topic partition offset', found {lines.Length} lines";
            return null;
        }

        string[] parts = lines[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out long offset))
        {
            problem = $"entry '{lines[2]}' is not 'topic partition offset'";
            return null;
        }

        problem = null;
        return offset;
    }
}
