using OrleansLog.Grains.Persistence;

namespace OrleansLog.Grains.Topics;

/// <summary>The durable list of topic names (key <see cref="ITopicRegistryGrain.Key"/>).</summary>
[GrainType("olog-topic-registry")]
internal sealed class TopicRegistryGrain(
    [PersistentState("topics", Hosting.OrleansLogOptions.StorageName)] IPersistentState<TopicRegistryState> state)
    : Grain, ITopicRegistryGrain
{
    public async Task RegisterAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryAdd(state.State.Topics, topic))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task UnregisterAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryRemove(state.State.Topics, topic))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Topics.ToArray());
}
