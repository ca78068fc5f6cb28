using System.Text;
using CsCheck;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects key placement compatibility with Kafka: the same key must land on the same partition as with
/// the Java client (<c>Utils.murmur2</c>, seed 0x9747b28c, <c>toPositive(h) % n</c>), or keyed topics shared
/// with Kafka tools would scatter a key's records over two partitions.
/// </summary>
public sealed class Murmur2PartitionerTests
{
    [Theory]
    [InlineData("21", -973932308)]
    [InlineData("foobar", -790332482)]
    [InlineData("a-little-bit-long-string", -985981536)]
    [InlineData("a-little-bit-longer-string", -1486304829)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971)]
    [InlineData("abc", 479470107)]
    public void Hash_MatchesKafkasGoldenValues(string key, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.Hash(Encoding.UTF8.GetBytes(key)));
    }

    [Theory]
    [InlineData("21", 12, 0)]
    [InlineData("21", 100, 40)]
    [InlineData("foobar", 12, 6)]
    [InlineData("foobar", 100, 66)]
    [InlineData("a-little-bit-long-string", 3, 2)]
    [InlineData("a-little-bit-longer-string", 6, 5)]
    [InlineData("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 100, 77)]
    [InlineData("abc", 6, 3)]
    [InlineData("user-42", 3, 1)]
    [InlineData("", 12, 9)]
    public void PartitionForKey_MatchesJavaClientPlacement(string key, int partitions, int expected)
    {
        Assert.Equal(expected, Murmur2Partitioner.PartitionForKey(Encoding.UTF8.GetBytes(key), partitions));
    }

    [Fact]
    public void ToPositive_ClearsTheSignBit_InsteadOfNegating()
    {
        // Math.Abs(int.MinValue) would throw; Kafka masks instead, so int.MinValue maps to 0.
        Assert.Equal(0, Murmur2Partitioner.ToPositive(int.MinValue));
        Assert.Equal(int.MaxValue, Murmur2Partitioner.ToPositive(-1));
        Assert.Equal(2147483648L - 790332482, Murmur2Partitioner.ToPositive(-790332482));
    }

    [Fact]
    public void Hash_EqualsALiteralTranslationOfTheJavaCode_ForAnyBytes()
    {
        Gen.Byte.Array[0, 64].Sample(bytes => Assert.Equal(JavaMurmur2(bytes), Murmur2Partitioner.Hash(bytes)), seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void PartitionForKey_RejectsZeroPartitions()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Murmur2Partitioner.PartitionForKey([1, 2, 3], 0));
    }

    /// <summary>Kafka's <c>Utils.murmur2</c> transcribed line by line with Java int semantics (>>> as unsigned shift).</summary>
    private static int JavaMurmur2(byte[] data)
    {
        int length = data.Length;
        int seed = unchecked((int)0x9747b28c);
        const int m = 0x5bd1e995;
        const int r = 24;
        int h = seed ^ length;
        int length4 = length / 4;
        unchecked
        {
            for (int i = 0; i < length4; i++)
            {
                int i4 = i * 4;
                int k = (data[i4 + 0] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
                k *= m;
                k ^= (int)((uint)k >> r);
                k *= m;
                h *= m;
                h ^= k;
            }

            int tail = length & ~3;
            int rest = length % 4;
            if (rest == 3)
            {
                h ^= (data[tail + 2] & 0xff) << 16;
            }

            if (rest >= 2)
            {
                h ^= (data[tail + 1] & 0xff) << 8;
            }

            if (rest >= 1)
            {
                h ^= data[tail] & 0xff;
                h *= m;
            }

            h ^= (int)((uint)h >> 13);
            h *= m;
            h ^= (int)((uint)h >> 15);
        }

        return h;
    }
}
