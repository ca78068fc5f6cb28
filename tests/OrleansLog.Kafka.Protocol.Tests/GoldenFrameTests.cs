using OrleansLog.Kafka.Protocol;
using Xunit;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// Protects the codecs against requests captured from a real client (librdkafka 2.16 through
/// Confluent.Kafka, talking to <see cref="ScriptedBroker"/> with <c>OLOG_KAFKA_GOLDEN_DIR</c> set): each
/// frame in <c>Golden/</c>, named <c>{Api}-v{version}.bin</c>, decodes completely and encodes back to
/// the same bytes.
/// </summary>
public sealed class GoldenFrameTests
{
    public static TheoryData<string> Frames() =>
        [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Golden"), "*.bin").Select(f => Path.GetFileName(f)).Order()];

    [Theory]
    [MemberData(nameof(Frames))]
    public void ACapturedRequest_DecodesCompletely_AndEncodesToTheSameBytes(string file)
    {
        byte[] frame = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Golden", file));
        var reader = new KafkaReader(frame);
        RequestHeader header = RequestHeader.Read(reader, KafkaApis.UsesFlexibleHeader);
        Assert.Equal(file, $"{header.ApiKey}-v{header.ApiVersion}.bin");

        Type type = KafkaApis.RequestType(header.ApiKey);
        object body = KafkaCodec.Read(type, reader, header.ApiVersion);
        Assert.Equal(0, reader.Remaining);

        var writer = new KafkaWriter();
        header.Write(writer, KafkaApis.UsesFlexibleHeader(header.ApiKey, header.ApiVersion));
        KafkaCodec.Write(type, writer, body, header.ApiVersion);
        Assert.Equal(Convert.ToHexString(frame), Convert.ToHexString(writer.ToArray()));
    }
}
