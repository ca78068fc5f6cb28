using Orleans.Runtime;
using OrleansLog.Grains;
using OrleansLog.Groups;

namespace OrleansLog.Client.Tests;

/// <summary>
/// An <see cref="IGrainFactory"/> that hands out in-memory fakes of the OrleansLog grains, for testing the
/// client's own logic (batching, retries, offsets) without a silo. Only string-keyed lookups are supported.
/// </summary>
internal sealed class FakeGrainFactory : IGrainFactory
{
    private readonly Dictionary<string, FakeTopic> _topics = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeGroupCoordinatorGrain> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public FakeProducerIdGrain ProducerIds { get; } = new();

    public FakeTopicRegistryGrain Registry { get; } = new();

    public FakeGroupRegistryGrain GroupRegistry { get; } = new();

    public FakeClusterGrain Cluster { get; } = new();

    /// <summary>The node ids of topics added from now on; reassignments may name only these.</summary>
    public List<string> Nodes { get; } = ["node-1", "node-2", "node-3"];

    /// <summary>The coordinator of <paramref name="groupId"/>, created on first use.</summary>
    public FakeGroupCoordinatorGrain Group(string groupId)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(groupId, out FakeGroupCoordinatorGrain? group))
            {
                group = new FakeGroupCoordinatorGrain(groupId);
                _groups.Add(groupId, group);
            }

            return group;
        }
    }

    /// <summary>Creates a topic with <paramref name="partitions"/> empty partitions.</summary>
    public FakeTopic AddTopic(string name, int partitions)
    {
        lock (_gate)
        {
            var topic = new FakeTopic(name, partitions, [.. Nodes]);
            _topics[name] = topic;
            return topic;
        }
    }

    public FakePartitionGrain Partition(string topic, int partition)
    {
        lock (_gate)
        {
            return _topics[topic].Partitions[partition];
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(string primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithStringKey
    {
        object grain = typeof(TGrainInterface) switch
        {
            Type t when t == typeof(IPartitionGrain) => PartitionByKey(primaryKey),
            Type t when t == typeof(ITopicGrain) => TopicByName(primaryKey),
            Type t when t == typeof(IProducerIdGrain) => ProducerIds,
            Type t when t == typeof(ITopicRegistryGrain) => Registry,
            Type t when t == typeof(IGroupCoordinatorGrain) => Group(primaryKey),
            Type t when t == typeof(IGroupRegistryGrain) => GroupRegistry,
            Type t when t == typeof(IClusterGrain) => Cluster,
            _ => throw new NotSupportedException($"No fake for {typeof(TGrainInterface)}."),
        };
        return (TGrainInterface)grain;
    }

    private FakePartitionGrain PartitionByKey(string key)
    {
        TopicPartition tp = TopicPartition.ParseGrainKey(key);
        lock (_gate)
        {
            return _topics.TryGetValue(tp.Topic, out FakeTopic? topic) && tp.Partition < topic.Partitions.Count
                ? topic.Partitions[tp.Partition]
                : new FakePartitionGrain(tp) { Missing = true };
        }
    }

    private FakeTopicGrain TopicByName(string name)
    {
        lock (_gate)
        {
            return _topics.TryGetValue(name, out FakeTopic? topic) ? topic.Grain : new FakeTopicGrain(name, null);
        }
    }

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithGuidCompoundKey => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(long primaryKey, string keyExtension, string? grainClassNamePrefix = null)
        where TGrainInterface : IGrainWithIntegerCompoundKey => throw new NotSupportedException();

    public TGrainObserverInterface CreateObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public void DeleteObjectReference<TGrainObserverInterface>(IGrainObserver obj)
        where TGrainObserverInterface : IGrainObserver => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, string grainPrimaryKey) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, Guid grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public IGrain GetGrain(Type grainInterfaceType, long grainPrimaryKey, string keyExtension) => throw new NotSupportedException();

    public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
        where TGrainInterface : IAddressable => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId) => throw new NotSupportedException();

    public IAddressable GetGrain(GrainId grainId, GrainInterfaceType interfaceType) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey, string grainClassNamePrefix) => throw new NotSupportedException();

    public IAddressable GetGrain(Type interfaceType, IdSpan grainKey) => throw new NotSupportedException();
}
