namespace OrleansLog.Grains.Persistence;

/// <summary>The durable state of a <see cref="NameRegistryGrain{TState}"/>: its names, sorted ordinally.</summary>
public interface INameList
{
    List<string> Names { get; }
}
