using System.Globalization;

namespace OrleansLog.Cli.LogTools;

/// <summary>
/// Finds segment files the way the broker lays them out (Kafka's layout): a data directory holds
/// <c>logs/{topic}-{partition}/</c>, and each partition directory holds <c>{baseOffset:D20}.log</c> files
/// (plus indexes and checkpoints, which are ignored here: indexes are caches, the log is the truth).
/// Files with lifecycle suffixes (<c>.log.deleted</c>, <c>.log.swap</c>) are not segments.
/// </summary>
internal static class LogLayout
{
    public const string LogSuffix = ".log";
    public const string LogsDirectory = "logs";

    /// <summary>
    /// The partitions at <paramref name="path"/>: a single segment file; a partition directory; a data
    /// directory (with <c>logs/</c>); or a directory whose subdirectories are partition directories.
    /// </summary>
    /// <exception cref="CliException">The path does not exist, or holds no segment files at all.</exception>
    public static IReadOnlyList<PartitionSegments> Find(string path)
    {
        if (File.Exists(path))
        {
            return [new PartitionSegments(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) ?? ".", [ToSegment(path)])];
        }

        if (!Directory.Exists(path))
        {
            throw new CliException(ErrorCode.InvalidRequest, $"'{path}' does not exist");
        }

        IReadOnlyList<SegmentFile> own = SegmentsIn(path);
        if (own.Count > 0)
        {
            return [new PartitionSegments(path, own)];
        }

        string logs = System.IO.Path.Combine(path, LogsDirectory);
        bool isDataDirectory = Directory.Exists(logs);
        string parent = isDataDirectory ? logs : path;
        var partitions = new List<PartitionSegments>();
        foreach (string directory in Directory.EnumerateDirectories(parent).Order(StringComparer.Ordinal))
        {
            IReadOnlyList<SegmentFile> segments = SegmentsIn(directory);
            if (segments.Count > 0)
            {
                partitions.Add(new PartitionSegments(directory, segments));
            }
        }

        if (partitions.Count == 0 && !isDataDirectory)
        {
            throw new CliException(
                ErrorCode.InvalidRequest,
                $"no segment files (*{LogSuffix}) in '{path}', in its subdirectories, or under '{System.IO.Path.Combine(path, LogsDirectory)}'");
        }

        return partitions;
    }

    /// <summary>The <c>*.log</c> files of one directory: named ones by base offset, any others after them by name.</summary>
    public static IReadOnlyList<SegmentFile> SegmentsIn(string directory) =>
        Directory.EnumerateFiles(directory, "*" + LogSuffix)
            .Where(f => f.EndsWith(LogSuffix, StringComparison.Ordinal))
            .Select(ToSegment)
            .OrderBy(s => s.BaseOffset is null)
            .ThenBy(s => s.BaseOffset)
            .ThenBy(s => s.Path, StringComparer.Ordinal)
            .ToList();

    /// <summary>Reads the base offset from a <c>{20 digits}.log</c> name.</summary>
    public static SegmentFile ToSegment(string path)
    {
        string name = System.IO.Path.GetFileName(path);
        string stem = name.EndsWith(LogSuffix, StringComparison.Ordinal) ? name[..^LogSuffix.Length] : name;
        return stem.Length == 20 && long.TryParse(stem, NumberStyles.None, CultureInfo.InvariantCulture, out long baseOffset)
            ? new SegmentFile(path, baseOffset)
            : new SegmentFile(path, null);
    }
}
