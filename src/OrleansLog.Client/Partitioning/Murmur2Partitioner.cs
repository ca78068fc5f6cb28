using System.Buffers.Binary;

namespace OrleansLog.Client;

/// <summary>
/// Kafka's default key partitioner, bit for bit: <c>toPositive(murmur2(keyBytes)) % numPartitions</c> with
/// Kafka's murmur2 variant (seed <c>0x9747b28c</c>, <c>org.apache.kafka.common.utils.Utils.murmur2</c>), so a
/// key lands on the same partition here as with the Java client, kafka-python and kafkajs.
/// </summary>
/// <remarks>
/// librdkafka (and so Confluent.Kafka and kcat) defaults to a CRC32-based partitioner instead; to share
/// keyed topics with those clients they must be configured with <c>partitioner=murmur2_random</c>.
/// </remarks>
public static class Murmur2Partitioner
{
    private const uint Seed = 0x9747b28c;
    private const uint M = 0x5bd1e995;
    private const int R = 24;

    /// <summary>The partition of <paramref name="key"/> among <paramref name="partitionCount"/> partitions.</summary>
    public static int PartitionForKey(ReadOnlySpan<byte> key, int partitionCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(partitionCount);
        return ToPositive(Hash(key)) % partitionCount;
    }

    /// <summary>Kafka's <c>Utils.toPositive</c>: clears the sign bit (not <c>Math.Abs</c>, which fails on int.MinValue).</summary>
    public static int ToPositive(int value) => value & 0x7fffffff;

    /// <summary>Kafka's <c>Utils.murmur2</c>: 32-bit MurmurHash2 over little-endian 4-byte words.</summary>
    public static int Hash(ReadOnlySpan<byte> data)
    {
        int length = data.Length;
        uint h = Seed ^ (uint)length;
        int whole = length & ~3;
        for (int i = 0; i < whole; i += 4)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data[i..]);
            k *= M;
            k ^= k >> R;
            k *= M;
            h *= M;
            h ^= k;
        }

        // Java's switch falls through from case 3 to case 1; the multiply happens once for any tail.
        switch (length & 3)
        {
            case 3:
                h ^= (uint)data[whole + 2] << 16;
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= M;
                break;
            case 2:
                h ^= (uint)data[whole + 1] << 8;
                h ^= data[whole];
                h *= M;
                break;
            case 1:
                h ^= data[whole];
                h *= M;
                break;
        }

        h ^= h >> 13;
        h *= M;
        h ^= h >> 15;
        return (int)h;
    }
}
