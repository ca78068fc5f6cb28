namespace OrleansLog.Grains.Groups;

/// <summary>Durable state of the group registry: the ids of existing groups, sorted ordinally.</summary>
[GenerateSerializer, Alias("olog.GroupRegistryState")]
public sealed class GroupRegistryState : Persistence.INameList
{
    [Id(0)] public List<string> Groups { get; set; } = [];

    List<string> Persistence.INameList.Names => Groups;
}
