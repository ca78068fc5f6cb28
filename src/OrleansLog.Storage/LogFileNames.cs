using System.Globalization;

namespace OrleansLog.Storage;

/// <summary>
/// Kafka's file naming inside a partition directory <c>{topic}-{partition}</c> (<c>LogFileUtils.java</c>):
/// segments are <c>{baseOffset:D20}.log</c> with <c>.index</c> and <c>.timeindex</c> beside them; a file
/// being deleted carries a <c>.deleted</c> suffix; per-partition checkpoints and the clean-shutdown marker
/// have fixed names.
/// </summary>
internal static class LogFileNames
{
    public const string LogSuffix = ".log";
    public const string IndexSuffix = ".index";
    public const string TimeIndexSuffix = ".timeindex";
    public const string DeletedSuffix = ".deleted";
    public const string CleanedSuffix = ".cleaned";
    public const string SwapSuffix = ".swap";
    public const string TempSuffix = ".tmp";

    public const string LeaderEpochCheckpoint = "leader-epoch-checkpoint";
    public const string RecoveryPointCheckpoint = "recovery-point-offset-checkpoint";
    public const string LogStartOffsetCheckpoint = "log-start-offset-checkpoint";
    public const string HighWatermarkCheckpoint = "replication-offset-checkpoint";
    public const string CleanShutdownMarker = ".kafka_cleanshutdown";

    /// <summary>"00000000000000000123" for 123.</summary>
    public static string FilenamePrefix(long baseOffset) => baseOffset.ToString("D20", CultureInfo.InvariantCulture);

    public static string LogFile(string directory, long baseOffset) =>
        Path.Combine(directory, FilenamePrefix(baseOffset) + LogSuffix);

    public static string IndexFile(string directory, long baseOffset) =>
        Path.Combine(directory, FilenamePrefix(baseOffset) + IndexSuffix);

    public static string TimeIndexFile(string directory, long baseOffset) =>
        Path.Combine(directory, FilenamePrefix(baseOffset) + TimeIndexSuffix);

    /// <summary>Parses the base offset of "{20 digits}{suffix}"; false for any other name.</summary>
    public static bool TryParseBaseOffset(string fileName, string suffix, out long baseOffset)
    {
        baseOffset = -1;
        if (!fileName.EndsWith(suffix, StringComparison.Ordinal) || fileName.Length != 20 + suffix.Length)
        {
            return false;
        }

        ReadOnlySpan<char> digits = fileName.AsSpan(0, 20);
        foreach (char c in digits)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out baseOffset);
    }

    /// <summary>Splits "{topic}-{partition}" at the last dash; partition -1 when the name has no such shape.</summary>
    public static (string Topic, int Partition) ParseTopicPartition(string directoryName)
    {
        int dash = directoryName.LastIndexOf('-');
        if (dash > 0 && int.TryParse(directoryName.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int partition))
        {
            return (directoryName[..dash], partition);
        }

        return (directoryName, -1);
    }
}
