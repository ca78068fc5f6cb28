namespace OrleansLog.Grains;

/// <summary>
/// The list of existing topics. A single activation, key <see cref="Key"/>. Topic grains register and
/// unregister themselves; listing reads one small durable state.
/// </summary>
[Alias("olog.ITopicRegistryGrain")]
public interface ITopicRegistryGrain : INameRegistryGrain
{
    public const string Key = "topics";
}
