namespace OrleansLog.Grains.Persistence;

/// <summary>
/// The one shape of a registry grain (topics, consumer groups): a durable, ordinally sorted list of names,
/// written only when a name is added or removed.
/// </summary>
internal abstract class NameRegistryGrain<TState>(IPersistentState<TState> state) : Grain, INameRegistryGrain
    where TState : INameList
{
    public async Task RegisterAsync(string name, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryAdd(state.State.Names, name))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task UnregisterAsync(string name, CancellationToken cancellationToken = default)
    {
        if (SortedNames.TryRemove(state.State.Names, name))
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>(state.State.Names.ToArray());
}
