using OrleansLog.Grains.Persistence;
using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>The durable, sorted list of consumer group ids (key <see cref="IGroupRegistryGrain.Key"/>), for <c>olog groups list</c>.</summary>
[GrainType("olog-group-registry")]
internal sealed class GroupRegistryGrain(
    [PersistentState("groups", Hosting.OrleansLogOptions.StorageName)] IPersistentState<GroupRegistryState> state)
    : Grain, IGroupRegistryGrain
{
    public async Task RegisterAsync(string groupId, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryAdd(state.State.Groups, groupId))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task UnregisterAsync(string groupId, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryRemove(state.State.Groups, groupId))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Groups.ToArray());
}
