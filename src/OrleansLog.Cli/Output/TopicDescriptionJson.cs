namespace OrleansLog.Cli.Output;

/// <summary>
/// <c>olog topics describe --format json</c>: <c>{"name","config":{…},"partitions":[…]}</c>. The config is
/// sorted by key so that the output is stable.
/// </summary>
internal sealed record TopicDescriptionJson(string Name, IReadOnlyDictionary<string, string> Config, IReadOnlyList<PartitionDescriptionJson> Partitions)
{
    public static TopicDescriptionJson From(TopicDescription topic)
    {
        var partitions = new PartitionDescriptionJson[topic.Partitions.Count];
        for (int i = 0; i < partitions.Length; i++)
        {
            partitions[i] = PartitionDescriptionJson.From(topic.Partitions[i]);
        }

        return new TopicDescriptionJson(topic.Name, new SortedDictionary<string, string>(topic.Config.ToDictionary(), StringComparer.Ordinal), partitions);
    }
}
