using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka;

/// <summary>
/// A member's assignment in Kafka's consumer protocol encoding (ConsumerProtocolAssignment v0: version,
/// then each topic with its partitions, then null user data), as DescribeGroups reports it, so Kafka's
/// tools show which partitions each member owns.
/// </summary>
internal static class ConsumerProtocolAssignment
{
    public static byte[] Encode(IReadOnlyList<TopicPartition> assignment)
    {
        var writer = new KafkaWriter();
        writer.Int16(0);
        IGrouping<string, TopicPartition>[] topics = [.. assignment.GroupBy(p => p.Topic)];
        writer.ArrayLength(topics.Length, compact: false);
        foreach (IGrouping<string, TopicPartition> topic in topics)
        {
            writer.String(topic.Key, compact: false);
            writer.ArrayLength(topic.Count(), compact: false);
            foreach (TopicPartition partition in topic)
            {
                writer.Int32(partition.Partition);
            }
        }

        writer.Bytes(default, isNull: true, compact: false);
        return writer.ToArray();
    }
}
