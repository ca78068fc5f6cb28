namespace OrleansLog.Client.Tests;

/// <summary>A fake topic: its grain and its partitions.</summary>
internal sealed class FakeTopic
{
    public FakeTopic(string name, int partitions)
    {
        Name = name;
        Grain = new FakeTopicGrain(name, this);
        for (int i = 0; i < partitions; i++)
        {
            Partitions.Add(new FakePartitionGrain(new TopicPartition(name, i)));
        }
    }

    public string Name { get; }

    public FakeTopicGrain Grain { get; }

    public List<FakePartitionGrain> Partitions { get; } = [];
}
