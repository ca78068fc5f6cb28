namespace OrleansLog.Groups;

/// <summary>The durable list of consumer group ids (key <see cref="Key"/>), for <c>olog groups list</c>.</summary>
[Alias("olog.IGroupRegistryGrain")]
public interface IGroupRegistryGrain : IGrainWithStringKey
{
    public const string Key = "groups";

    [Alias("register")]
    Task RegisterAsync(string groupId, CancellationToken cancellationToken = default);

    [Alias("unregister")]
    Task UnregisterAsync(string groupId, CancellationToken cancellationToken = default);

    [Alias("list")]
    Task<IReadOnlyList<string>> ListAsync(CancellationToken cancellationToken = default);
}
