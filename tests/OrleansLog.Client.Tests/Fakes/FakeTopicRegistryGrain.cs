using OrleansLog.Grains;

namespace OrleansLog.Client.Tests;

internal sealed class FakeTopicRegistryGrain : ITopicRegistryGrain
{
    public List<string> Topics { get; } = [];

    public Task RegisterAsync(string topic, CancellationToken cancellationToken = default)
    {
        Topics.Add(topic);
        return Task.CompletedTask;
    }

    public Task UnregisterAsync(string topic, CancellationToken cancellationToken = default)
    {
        Topics.Remove(topic);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<string>>([.. Topics]);
}
