using System.Globalization;

namespace OrleansLog.Cli.Output;

/// <summary>
/// The text form of <c>topics describe</c>: a topic line, the effective configuration one key per line,
/// then a table with a row per partition: leader, leader epoch, replicas (<c>from → to</c> while a
/// reassignment moves them), ISR and offsets. An ERROR column appears only when a partition reported one,
/// and a line per partition whose log failed on its leader's node (a full or failing disk) follows the table.
/// </summary>
internal static class TopicDescriptionText
{
    public static void Write(TopicDescription topic, TextWriter writer)
    {
        writer.WriteLine($"Topic: {topic.Name}  Partitions: {topic.Partitions.Count}");
        writer.WriteLine("Config:");
        foreach (KeyValuePair<string, string> setting in topic.Config.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            writer.WriteLine($"  {setting.Key}={setting.Value}");
        }

        bool anyError = topic.Partitions.Any(p => p.Error != ErrorCode.None);
        TextTable table = anyError
            ? new TextTable("PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOG-START", "HIGH-WATERMARK", "LOG-END", "SIZE-BYTES", "ERROR")
            : new TextTable("PARTITION", "LEADER", "EPOCH", "REPLICAS", "ISR", "LOG-START", "HIGH-WATERMARK", "LOG-END", "SIZE-BYTES");
        foreach (PartitionDescription p in topic.Partitions)
        {
            string[] cells =
            [
                Number(p.Partition),
                p.Leader,
                Number(p.LeaderEpoch),
                p.TargetReplicas is { Count: > 0 } target ? ReplicaText.Move(p.Replicas, target) : ReplicaText.List(p.Replicas),
                ReplicaText.List(p.Isr),
                Number(p.LogStartOffset),
                Number(p.HighWatermark),
                Number(p.LogEndOffset),
                Number(p.SizeBytes),
            ];
            table.AddRow(anyError ? [.. cells, p.Error == ErrorCode.None ? "-" : p.Error.ToString()] : cells);
        }

        table.WriteTo(writer);
        foreach (PartitionDescription p in topic.Partitions.Where(p => p.StorageFailure is not null))
        {
            writer.WriteLine($"Partition {p.Partition}: the log on node '{p.Leader}' failed: {p.StorageFailure}");
        }
    }

    private static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);
}
