namespace OrleansLog.Grains;

/// <summary>
/// A durable, ordinally sorted set of names (one grain per kind: topics, consumer groups), for listing
/// what exists without asking every grain of that kind.
/// </summary>
[Alias("olog.INameRegistryGrain")]
public interface INameRegistryGrain : IGrainWithStringKey
{
    /// <summary>Adds <paramref name="name"/>; nothing changes when it is there already.</summary>
    [Alias("register")]
    Task RegisterAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>Removes <paramref name="name"/>; nothing changes when it is not there.</summary>
    [Alias("unregister")]
    Task UnregisterAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>The names, sorted ordinally.</summary>
    [Alias("list")]
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
