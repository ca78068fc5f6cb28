namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// A response's header: the request's correlation id, then (version 1, flexible responses) tagged fields.
/// ApiVersions answers always use version 0, so a client that does not know the broker's versions yet can read it.
/// </summary>
public static class ResponseHeader
{
    public static void Write(KafkaWriter writer, int correlationId, bool flexible)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Int32(correlationId);
        if (flexible)
        {
            writer.UnsignedVarInt(0);
        }
    }

    public static int Read(KafkaReader reader, bool flexible)
    {
        ArgumentNullException.ThrowIfNull(reader);
        int correlationId = reader.Int32();
        if (flexible)
        {
            RequestHeader.SkipTaggedFields(reader);
        }

        return correlationId;
    }
}
