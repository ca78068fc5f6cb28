using OrleansLog.Grains.Persistence;

namespace OrleansLog.Grains.Topics;

/// <summary>The durable list of topic names (key <see cref="ITopicRegistryGrain.Key"/>).</summary>
[GrainType("olog-topic-registry")]
internal sealed class TopicRegistryGrain(
    [PersistentState("topics", Hosting.OrleansLogOptions.StorageName)] IPersistentState<TopicRegistryState> state)
    : NameRegistryGrain<TopicRegistryState>(state), ITopicRegistryGrain;
