using System.Buffers;
using OrleansLog.Kafka.Protocol;
using Xunit;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// Protects framing: a frame is taken only when all of it has arrived, pipelined frames come off one by
/// one, and a size above socket.request.max.bytes (or below zero) is refused before anything is buffered.
/// </summary>
public sealed class FramingTests
{
    [Fact]
    public void AFrame_IsTakenOnlyWhenWhole_AndPipelinedFramesComeOffInOrder()
    {
        byte[] two = [.. KafkaFrame.Wrap([1, 2, 3]), .. KafkaFrame.Wrap([4])];

        var partial = new ReadOnlySequence<byte>(two, 0, 6);
        Assert.False(KafkaFrame.TryRead(ref partial, 100, out _));

        var buffer = new ReadOnlySequence<byte>(two);
        Assert.True(KafkaFrame.TryRead(ref buffer, 100, out ReadOnlySequence<byte> first));
        Assert.Equal(new byte[] { 1, 2, 3 }, first.ToArray());
        Assert.True(KafkaFrame.TryRead(ref buffer, 100, out ReadOnlySequence<byte> second));
        Assert.Equal(new byte[] { 4 }, second.ToArray());
        Assert.Equal(0, buffer.Length);
    }

    [Theory]
    [InlineData(new byte[] { 0x06, 0x40, 0x00, 0x01 }, "A frame of 104857601 bytes was announced; frames must be between 0 and 104857600 bytes (socket.request.max.bytes).")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF }, "A frame of -1 bytes was announced; frames must be between 0 and 104857600 bytes (socket.request.max.bytes).")]
    public void AnImpossibleSize_IsRefusedAtOnce(byte[] header, string message)
    {
        var buffer = new ReadOnlySequence<byte>(header);

        var error = Assert.Throws<KafkaProtocolException>(() => KafkaFrame.TryRead(ref buffer, 100 * 1024 * 1024, out _));

        Assert.Equal(message, error.Message);
    }
}
