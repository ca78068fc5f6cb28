namespace OrleansLog;

/// <summary>
/// One Kafka RecordBatch v2, exactly as the producer built it, on its way to a partition leader.
/// Marked <see cref="ImmutableAttribute"/> so an in-silo call passes the array by reference instead of
/// deep-copying it (4 µs per 1 MB call instead of 1–1.5 ms, see ORLEANS-NOTES). The leader stamps the
/// base offset and leader epoch into these bytes in place (both outside the CRC); a caller that sends a
/// payload must not read or reuse the array afterwards.
/// </summary>
[GenerateSerializer, Immutable, Alias("olog.RecordBatchPayload")]
public sealed class RecordBatchPayload(byte[] bytes)
{
    [Id(0)]
    public byte[] Bytes { get; } = bytes;
}
