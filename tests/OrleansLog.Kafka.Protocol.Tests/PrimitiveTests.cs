using OrleansLog.Kafka.Protocol;
using Xunit;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// Protects the primitive encodings every message is built from: varints as Kafka's ByteUtils writes them,
/// classic and compact strings, bytes and arrays with their null forms, big-endian UUIDs, and the reader's
/// refusal of lengths that run past the frame (a precise error, never a huge allocation).
/// </summary>
public sealed class PrimitiveTests
{
    [Theory]
    [InlineData(0u, new byte[] { 0x00 })]
    [InlineData(1u, new byte[] { 0x01 })]
    [InlineData(127u, new byte[] { 0x7F })]
    [InlineData(128u, new byte[] { 0x80, 0x01 })]
    [InlineData(300u, new byte[] { 0xAC, 0x02 })]
    [InlineData(uint.MaxValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void UnsignedVarInts_AreLittleEndianGroupsOfSevenBits(uint value, byte[] expected)
    {
        var writer = new KafkaWriter();
        writer.UnsignedVarInt(value);
        Assert.Equal(expected, writer.ToArray());
        Assert.Equal(value, new KafkaReader(expected).UnsignedVarInt());
    }

    [Theory]
    [InlineData(0, new byte[] { 0x00 })]
    [InlineData(-1, new byte[] { 0x01 })]
    [InlineData(1, new byte[] { 0x02 })]
    [InlineData(-64, new byte[] { 0x7F })]
    [InlineData(int.MinValue, new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x0F })]
    public void VarInts_AreZigZagEncoded(int value, byte[] expected)
    {
        var writer = new KafkaWriter();
        writer.VarInt(value);
        Assert.Equal(expected, writer.ToArray());
        Assert.Equal(value, new KafkaReader(expected).VarInt());
    }

    [Fact]
    public void Strings_HaveAnInt16Length_OrACompactLengthPlusOne_AndNullHasItsOwnForm()
    {
        var writer = new KafkaWriter();
        writer.String("ab", compact: false);
        writer.String(null, compact: false);
        writer.String("ab", compact: true);
        writer.String(null, compact: true);

        Assert.Equal(new byte[] { 0x00, 0x02, (byte)'a', (byte)'b', 0xFF, 0xFF, 0x03, (byte)'a', (byte)'b', 0x00 }, writer.ToArray());
        var reader = new KafkaReader(writer.ToArray());
        Assert.Equal("ab", reader.String(compact: false));
        Assert.Null(reader.String(compact: false));
        Assert.Equal("ab", reader.String(compact: true));
        Assert.Null(reader.String(compact: true));
        Assert.Equal(0, reader.Remaining);
    }

    [Fact]
    public void Uuids_AreSixteenBigEndianBytes()
    {
        var id = Guid.Parse("00112233-4455-6677-8899-aabbccddeeff");
        var writer = new KafkaWriter();
        writer.Uuid(id);
        Assert.Equal(Convert.FromHexString("00112233445566778899AABBCCDDEEFF"), writer.ToArray());
        Assert.Equal(id, new KafkaReader(writer.ToArray()).Uuid());
    }

    [Fact]
    public void AStringLongerThanTheFrame_FailsNamingWhereAndHowMuch()
    {
        byte[] frame = [0x00, 0x10, (byte)'a'];

        var error = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(frame).String(compact: false));

        Assert.Equal("The string at byte 0 needs 16 bytes, but only 1 are left in the frame of 3 bytes.", error.Message);
    }

    [Fact]
    public void AnArrayCountTheFrameCannotHold_FailsBeforeAllocating()
    {
        byte[] frame = [0x7F, 0xFF, 0xFF, 0xFF, 0x00];

        var error = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(frame).ArrayLength(compact: false));

        Assert.Contains("claims 2147483647 elements, but only 1 bytes are left", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AVarIntLongerThanFiveBytes_IsRefused()
    {
        byte[] frame = [0x80, 0x80, 0x80, 0x80, 0x80, 0x01];

        var error = Assert.Throws<KafkaProtocolException>(() => new KafkaReader(frame).UnsignedVarInt());

        Assert.Equal("The unsigned varint at byte 0 is longer than 5 bytes.", error.Message);
    }
}
