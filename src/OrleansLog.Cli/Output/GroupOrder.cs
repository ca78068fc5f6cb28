namespace OrleansLog.Cli.Output;

/// <summary>The one order <c>groups</c> output lists partitions in: by topic (ordinal), then partition number.</summary>
internal static class GroupOrder
{
    public static IEnumerable<T> Sort<T>(IEnumerable<T> items, Func<T, TopicPartition> partition) =>
        items.OrderBy(i => partition(i).Topic, StringComparer.Ordinal).ThenBy(i => partition(i).Partition);
}
