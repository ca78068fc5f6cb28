namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// A request's header: API key, version, correlation id and client id. Version 1 for non-flexible
/// requests; version 2 (tagged fields after the client id, which stays a non-compact string) for flexible ones.
/// </summary>
public sealed record RequestHeader(ApiKey ApiKey, short ApiVersion, int CorrelationId, string? ClientId)
{
    /// <summary>Reads a header; <paramref name="isFlexible"/> says whether the key and version use header version 2.</summary>
    public static RequestHeader Read(KafkaReader reader, Func<ApiKey, short, bool> isFlexible)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(isFlexible);
        var apiKey = (ApiKey)reader.Int16();
        short version = reader.Int16();
        int correlationId = reader.Int32();
        string? clientId = reader.String(compact: false);
        if (isFlexible(apiKey, version))
        {
            SkipTaggedFields(reader);
        }

        return new RequestHeader(apiKey, version, correlationId, clientId);
    }

    public void Write(KafkaWriter writer, bool flexible)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Int16((short)ApiKey);
        writer.Int16(ApiVersion);
        writer.Int32(CorrelationId);
        writer.String(ClientId, compact: false);
        if (flexible)
        {
            writer.UnsignedVarInt(0);
        }
    }

    internal static void SkipTaggedFields(KafkaReader reader)
    {
        uint count = reader.UnsignedVarInt();
        for (uint i = 0; i < count; i++)
        {
            reader.UnsignedVarInt();
            reader.Skip((int)reader.UnsignedVarInt());
        }
    }
}
