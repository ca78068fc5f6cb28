using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansLog.Silo.Cluster;

/// <summary>
/// Grain state in PostgreSQL as Orleans-serializer bytes, the format the embedded file storage writes.
/// OrleansLog's state types are <c>[GenerateSerializer]</c> types with <c>[Id]</c> members, which this
/// serializer round-trips exactly and version-tolerantly; the ADO.NET provider's default JSON
/// serializer would need every state type (records, read-only collections) to be JSON-friendly too.
/// </summary>
internal sealed class BinaryGrainStorageSerializer(Serializer serializer) : IGrainStorageSerializer
{
    public BinaryData Serialize<T>(T? input) => new(serializer.SerializeToArray(input));

    public T Deserialize<T>(BinaryData input) => serializer.Deserialize<T>(input.ToMemory())!;
}
