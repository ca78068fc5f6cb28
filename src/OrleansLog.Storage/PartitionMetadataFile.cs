using System.Globalization;

namespace OrleansLog.Storage;

/// <summary>
/// Kafka's <c>partition.metadata</c>: which incarnation of a topic a partition directory belongs to, by topic
/// id. A topic deleted while one of its nodes was down and then re-created under the same name gets a new
/// id, so that node's old directory is recognised as a stray and never served as the new topic's data.
/// Format: <c>version: 0</c> and <c>topic_id: {guid}</c> on two lines, written atomically and durably.
/// </summary>
public static class PartitionMetadataFile
{
    public const string FileName = "partition.metadata";

    /// <summary>The directory's topic id; null when it has no metadata file (a directory from before topic ids) or it is unreadable.</summary>
    public static Guid? Read(ILogFileSystem fileSystem, string directory)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        string? text;
        try
        {
            text = AtomicFile.ReadAllText(fileSystem, Path.Combine(directory, FileName));
        }
        catch (Exception ex) when (ex is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            return null;
        }

        if (text is null)
        {
            return null;
        }

        foreach (string line in text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("topic_id:", StringComparison.Ordinal)
                && Guid.TryParse(line["topic_id:".Length..].Trim(), CultureInfo.InvariantCulture, out Guid id))
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>Writes <paramref name="topicId"/> durably (temp file, fsync, rename, directory fsync).</summary>
    public static void Write(ILogFileSystem fileSystem, string directory, Guid topicId)
    {
        ArgumentNullException.ThrowIfNull(fileSystem);
        AtomicFile.WriteAllText(fileSystem, Path.Combine(directory, FileName), $"version: 0\ntopic_id: {topicId:D}\n");
    }
}
