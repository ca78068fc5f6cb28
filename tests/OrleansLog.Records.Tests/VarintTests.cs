using CsCheck;

namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the zig-zag varint encoding records use: the byte patterns must be Kafka's
/// (<c>ByteUtils.writeVarint</c>), and malformed varints must be refused rather than misread.
/// </summary>
public sealed class VarintTests
{
    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(63, new byte[] { 0x7E })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(64, new byte[] { 0x80, 0x01 })]
    [InlineData(300, new byte[] { 0xD8, 0x04 })]
    [InlineData(int.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0x0F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void WriteVarint_ProducesKafkaBytes(int value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxVarintBytes];
        int written = Varint.WriteVarint(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOfVarint(value));
    }

    [Theory]
    [InlineData(0L, new byte[] { 0x00 })]
    [InlineData(-1L, new byte[] { 0x01 })]
    [InlineData(long.MaxValue, new byte[] { 0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    [InlineData(long.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 })]
    public void WriteVarlong_ProducesKafkaBytes(long value, byte[] expected)
    {
        var buffer = new byte[Varint.MaxVarlongBytes];
        int written = Varint.WriteVarlong(buffer, value);
        Assert.Equal(expected, buffer[..written]);
        Assert.Equal(expected.Length, Varint.SizeOfVarlong(value));
    }

    [Fact]
    public void Varint_RoundTripsEveryInt()
    {
        Gen.Int.Sample(value =>
        {
            var buffer = new byte[Varint.MaxVarintBytes];
            int written = Varint.WriteVarint(buffer, value);
            int position = 0;
            Assert.True(Varint.TryReadVarint(buffer, ref position, out int read));
            Assert.Equal(value, read);
            Assert.Equal(written, position);
        });
    }

    [Fact]
    public void Varlong_RoundTripsEveryLong()
    {
        Gen.Long.Sample(value =>
        {
            var buffer = new byte[Varint.MaxVarlongBytes];
            int written = Varint.WriteVarlong(buffer, value);
            int position = 0;
            Assert.True(Varint.TryReadVarlong(buffer, ref position, out long read));
            Assert.Equal(value, read);
            Assert.Equal(written, position);
        });
    }

    [Fact]
    public void TryReadVarint_RejectsSixByteVarint_AndLeavesPositionUnchanged()
    {
        byte[] tooLong = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        int position = 0;
        Assert.False(Varint.TryReadVarint(tooLong, ref position, out _));
        Assert.Equal(0, position);
    }

    [Fact]
    public void TryReadVarlong_RejectsElevenByteVarlong()
    {
        byte[] tooLong = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01];
        int position = 0;
        Assert.False(Varint.TryReadVarlong(tooLong, ref position, out _));
    }

    [Fact]
    public void TryReadVarint_RejectsVarintCutOffByEndOfInput()
    {
        byte[] truncated = [0x80, 0x80];
        int position = 0;
        Assert.False(Varint.TryReadVarint(truncated, ref position, out _));
        Assert.Equal(0, position);
    }
}
