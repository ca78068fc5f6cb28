using OrleansLog.Groups;

namespace OrleansLog.Client.Tests;

internal sealed class FakeGroupRegistryGrain : IGroupRegistryGrain
{
    public List<string> Groups { get; } = [];

    public Task RegisterAsync(string groupId, CancellationToken cancellationToken = default)
    {
        Groups.Add(groupId);
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string groupId, CancellationToken cancellationToken = default)
    {
        Groups.Remove(groupId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. Groups]);
}
