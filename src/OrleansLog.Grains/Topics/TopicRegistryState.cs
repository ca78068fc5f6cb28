namespace OrleansLog.Grains.Topics;

/// <summary>Durable state of the topic registry: the names of existing topics.</summary>
[GenerateSerializer, Alias("olog.TopicRegistryState")]
public sealed class TopicRegistryState : Persistence.INameList
{
    [Id(0)] public List<string> Topics { get; set; } = [];

    List<string> Persistence.INameList.Names => Topics;
}
