namespace OrleansLog.Client.Tests;

/// <summary>A fake topic: its grain, its partitions and the cluster's nodes its replicas may be assigned to.</summary>
internal sealed class FakeTopic
{
    public FakeTopic(string name, int partitions, IReadOnlyList<string>? nodes = null)
    {
        Name = name;
        Nodes = nodes ?? ["node-1"];
        Grain = new FakeTopicGrain(name, this);
        for (int i = 0; i < partitions; i++)
        {
            Partitions.Add(new FakePartitionGrain(new TopicPartition(name, i)));
        }
    }

    public string Name { get; }

    /// <summary>The node ids a reassignment may name; any other is InvalidReplicaAssignment.</summary>
    public IReadOnlyList<string> Nodes { get; }

    public FakeTopicGrain Grain { get; }

    public List<FakePartitionGrain> Partitions { get; } = [];
}
