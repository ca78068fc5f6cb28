using CsCheck;

namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the batch checksum: CRC-32C (Castagnoli), not CRC-32, with Kafka's exact results. A wrong
/// CRC would make every batch we write unreadable by Kafka clients and every batch they send rejected.
/// </summary>
public sealed class Crc32CTests
{
    [Fact]
    public void Compute_MatchesCastagnoliCheckValue_For123456789()
    {
        Assert.Equal(0xE3069283u, Crc32C.Compute("123456789"u8));
    }

    [Fact]
    public void ReferenceImplementation_MatchesCastagnoliCheckValue_For123456789()
    {
        Assert.Equal(0xE3069283u, ReferenceCrc32C.Compute("123456789"u8));
    }

    [Fact]
    public void Compute_OfEmptyInput_IsZero()
    {
        Assert.Equal(0u, Crc32C.Compute([]));
    }

    [Fact]
    public void Compute_MatchesBitwiseReference_ForRandomData()
    {
        Gen.Byte.Array[0, 300].Sample(data => Assert.Equal(ReferenceCrc32C.Compute(data), Crc32C.Compute(data)));
    }

    [Fact]
    public void Append_OverTwoParts_EqualsComputeOverWhole()
    {
        Gen.Select(Gen.Byte.Array[0, 100], Gen.Byte.Array[0, 100]).Sample((a, b) =>
        {
            byte[] whole = [.. a, .. b];
            Assert.Equal(Crc32C.Compute(whole), Crc32C.Append(Crc32C.Compute(a), b));
        });
    }
}
