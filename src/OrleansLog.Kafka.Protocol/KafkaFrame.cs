using System.Buffers;
using System.Buffers.Binary;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// Kafka's framing: every request and response is an int32 size followed by that many bytes.
/// </summary>
public static class KafkaFrame
{
    /// <summary>
    /// Takes one whole frame (without its size) off the front of <paramref name="buffer"/>; false when the
    /// frame is not all there yet. A size below zero or above <paramref name="maxBytes"/> (Kafka's
    /// socket.request.max.bytes) is refused before anything is buffered for it.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> buffer, int maxBytes, out ReadOnlySequence<byte> frame)
    {
        frame = default;
        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> sizeBytes = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(sizeBytes);
        int size = BinaryPrimitives.ReadInt32BigEndian(sizeBytes);
        if (size < 0 || size > maxBytes)
        {
            throw new KafkaProtocolException($"A frame of {size} bytes was announced; frames must be between 0 and {maxBytes} bytes (socket.request.max.bytes).");
        }

        if (buffer.Length - 4 < size)
        {
            return false;
        }

        frame = buffer.Slice(4, size);
        buffer = buffer.Slice(4 + size);
        return true;
    }

    /// <summary>Writes <paramref name="payload"/> with its size in front.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> payload)
    {
        var framed = new byte[payload.Length + 4];
        BinaryPrimitives.WriteInt32BigEndian(framed, payload.Length);
        payload.CopyTo(framed.AsSpan(4));
        return framed;
    }
}
