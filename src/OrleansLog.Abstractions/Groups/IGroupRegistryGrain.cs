namespace OrleansLog.Groups;

/// <summary>The durable list of consumer group ids (key <see cref="Key"/>), for <c>olog groups list</c>.</summary>
[Alias("olog.IGroupRegistryGrain")]
public interface IGroupRegistryGrain : OrleansLog.Grains.INameRegistryGrain
{
    public const string Key = "groups";
}
