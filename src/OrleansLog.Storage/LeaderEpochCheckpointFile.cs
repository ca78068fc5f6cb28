using System.Globalization;
using System.Text;

namespace OrleansLog.Storage;

/// <summary>
/// The <c>leader-epoch-checkpoint</c> file of a partition directory, in Kafka's text format
/// (<c>LeaderEpochCheckpointFile.java</c>):
/// <code>
/// 0                 version
/// 2                 number of entries
/// 0 0               epoch startOffset
/// 3 1500
/// </code>
/// <para><b>Crash behaviour:</b> replaced atomically (<see cref="AtomicFile"/>), so it is the old or the
/// new list. A file that does not parse is reported and treated as missing, which makes the loader rebuild
/// the cache by rescanning the whole log.</para>
/// <para><b>Thread-safety:</b> stateless; the log serialises writes.</para>
/// </summary>
internal static class LeaderEpochCheckpointFile
{
    private const int Version = 0;

    public static void Write(ILogFileSystem fileSystem, string path, IReadOnlyList<EpochEntry> entries)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{Version}\n{entries.Count}\n");
        foreach (EpochEntry entry in entries)
        {
            text.Append(CultureInfo.InvariantCulture, $"{entry.Epoch} {entry.StartOffset}\n");
        }

        AtomicFile.WriteAllText(fileSystem, path, text.ToString());
    }

    /// <summary>The entries, or null with <paramref name="problem"/> set when the file is missing or malformed.</summary>
    public static List<EpochEntry>? Read(ILogFileSystem fileSystem, string path, out string? problem)
    {
        string? text = AtomicFile.ReadAllText(fileSystem, path);
        if (text is null)
        {
            problem = "the file is missing";
            return null;
        }

        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        if (lines.Length < 2 || lines[0].Trim() != "0")
        {
            problem = $"expected version line '0', found '{(lines.Length > 0 ? lines[0] : "")}'";
            return null;
        }

        if (!int.TryParse(lines[1], NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count != lines.Length - 2)
        {
            problem = $"the count line says '{lines[1]}' but {lines.Length - 2} entries follow";
            return null;
        }

        var entries = new List<EpochEntry>(count);
        for (int i = 0; i < count; i++)
        {
            string[] parts = lines[i + 2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 2
                || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int epoch)
                || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long startOffset))
            {
                problem = $"line {i + 3} '{lines[i + 2]}' is not 'epoch startOffset'";
                return null;
            }

            if (entries.Count > 0 && (epoch <= entries[^1].Epoch || startOffset <= entries[^1].StartOffset))
            {
                problem = $"line {i + 3} ({epoch} {startOffset}) does not follow ({entries[^1].Epoch} {entries[^1].StartOffset})";
                return null;
            }

            entries.Add(new EpochEntry(epoch, startOffset));
        }

        problem = null;
        return entries;
    }
}
