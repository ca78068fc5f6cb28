namespace OrleansLog.Grains;

/// <summary>
/// The list of existing topics. A single activation, key <see cref="Key"/>. Topic grains register and
/// unregister themselves; listing reads one small durable state.
/// </summary>
[Alias("olog.ITopicRegistryGrain")]
public interface ITopicRegistryGrain : IGrainWithStringKey
{
    public const string Key = "topics";

    [Alias("register")]
    Task RegisterAsync(string topic, CancellationToken cancellationToken = default);

    [Alias("unregister")]
    Task UnregisterAsync(string topic, CancellationToken cancellationToken = default);

    [Alias("list")]
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
