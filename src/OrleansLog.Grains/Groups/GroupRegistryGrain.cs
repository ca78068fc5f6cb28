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
        List<string> groups = state.State.Groups;
        int index = groups.BinarySearch(groupId, StringComparer.Ordinal);
        if (index < 0)
        {
            groups.Insert(~index, groupId);
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task UnregisterAsync(string groupId, CancellationToken cancellationToken = default)
    {
        List<string> groups = state.State.Groups;
        int index = groups.BinarySearch(groupId, StringComparer.Ordinal);
        if (index >= 0)
        {
            groups.RemoveAt(index);
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Groups.ToArray());
}
