using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;
using Xunit;

namespace OrleansLog.Kafka.Protocol.Tests;

/// <summary>
/// Protects the table-driven codec on the messages declared so far, byte for byte against Kafka's message
/// definitions: fields appear only in their versions, flexible versions use compact lengths and end each
/// structure with tagged fields, unknown tagged fields are skipped, and a null where the version allows
/// none is refused naming the field.
/// </summary>
public sealed class MessageCodecTests
{
    private static readonly ApiVersionsResponse OneApi = new()
    {
        ApiKeys = [new ApiVersionsResponse.ApiVersion { ApiKey = 18, MinVersion = 0, MaxVersion = 3 }],
    };

    [Fact]
    public void ApiVersionsResponse_V0_HasAnInt32CountAndNoThrottleTime()
    {
        Assert.Equal(Convert.FromHexString("0000" + "00000001" + "0012" + "0000" + "0003"), Encode(OneApi, 0));
    }

    [Fact]
    public void ApiVersionsResponse_V3_IsCompact_WithTaggedFieldsAfterEachStructure()
    {
        Assert.Equal(Convert.FromHexString("0000" + "02" + "0012" + "0000" + "0003" + "00" + "00000000" + "00"), Encode(OneApi, 3));
    }

    [Fact]
    public void ApiVersionsRequest_V3_NamesTheClientSoftware()
    {
        byte[] body = Convert.FromHexString("0B" + Hex("librdkafka") + "07" + Hex("2.16.0") + "00");

        ApiVersionsRequest request = KafkaCodec.Read<ApiVersionsRequest>(new KafkaReader(body), 3);

        Assert.Equal("librdkafka", request.ClientSoftwareName);
        Assert.Equal("2.16.0", request.ClientSoftwareVersion);
        Assert.Equal(body, Encode(request, 3));
    }

    [Fact]
    public void MetadataRequest_V1_WithNullTopics_AsksForEveryTopic()
    {
        MetadataRequest request = KafkaCodec.Read<MetadataRequest>(new KafkaReader(Convert.FromHexString("FFFFFFFF")), 1);

        Assert.Null(request.Topics);
    }

    [Fact]
    public void MetadataRequest_V0_WithNullTopics_IsRefusedNamingTheField()
    {
        var error = Assert.Throws<KafkaProtocolException>(() => KafkaCodec.Read<MetadataRequest>(new KafkaReader(Convert.FromHexString("FFFFFFFF")), 0));

        Assert.Equal("MetadataRequest.Topics is null at byte 4, which version 0 does not allow.", error.Message);
    }

    [Fact]
    public void MetadataRequest_V12_IsCompact_AndSkipsUnknownTaggedFields()
    {
        byte[] body = Convert.FromHexString(
            "02" + new string('0', 32) + "07" + Hex("orders") + "00" // one topic: zero id, name, no tags
            + "01" + "00"                                              // allow auto-creation, no topic operations
            + "01" + "05" + "02" + "ABCD");                            // one unknown tagged field: tag 5, 2 bytes

        MetadataRequest request = KafkaCodec.Read<MetadataRequest>(new KafkaReader(body), 12);

        Assert.Equal("orders", Assert.Single(request.Topics!).Name);
        Assert.True(request.AllowAutoTopicCreation);
        Assert.Equal(body[..^5].Concat(new byte[] { 0x00 }), Encode(request, 12)); // the unknown tag is not carried over
    }

    [Theory]
    [InlineData((short)0)]
    [InlineData((short)1)]
    [InlineData((short)5)]
    [InlineData((short)7)]
    [InlineData((short)9)]
    [InlineData((short)12)]
    public void MetadataResponse_RoundTrips_KeepingWhatItsVersionHolds(short version)
    {
        var response = new MetadataResponse
        {
            ThrottleTimeMs = 5,
            Brokers = [new MetadataResponse.Broker { NodeId = 1, Host = "127.0.0.1", Port = 9092, Rack = "r1" }],
            ClusterId = "olog",
            ControllerId = 1,
            Topics =
            [
                new MetadataResponse.Topic
                {
                    Name = "orders",
                    TopicId = Guid.NewGuid(),
                    Partitions = [new MetadataResponse.Partition { PartitionIndex = 0, LeaderId = 1, LeaderEpoch = 4, ReplicaNodes = [1, 2], IsrNodes = [1], OfflineReplicas = [2] }],
                },
            ],
        };

        byte[] bytes = Encode(response, version);
        var reader = new KafkaReader(bytes);
        MetadataResponse read = KafkaCodec.Read<MetadataResponse>(reader, version);

        Assert.Equal(0, reader.Remaining);
        Assert.Equal("127.0.0.1", read.Brokers[0].Host);
        Assert.Equal(version >= 1 ? "r1" : null, read.Brokers[0].Rack);
        Assert.Equal(version >= 2 ? "olog" : null, read.ClusterId);
        Assert.Equal(version >= 3 ? 5 : 0, read.ThrottleTimeMs);
        MetadataResponse.Partition partition = Assert.Single(Assert.Single(read.Topics).Partitions);
        Assert.Equal(version >= 7 ? 4 : -1, partition.LeaderEpoch);
        Assert.Equal([1, 2], partition.ReplicaNodes);
        Assert.Equal(version >= 5 ? [2] : [], partition.OfflineReplicas);
        Assert.Equal(version >= 10 ? response.Topics[0].TopicId : Guid.Empty, read.Topics[0].TopicId);
    }

    public static TheoryData<ApiKey, short, bool> EveryMessageVersion()
    {
        var data = new TheoryData<ApiKey, short, bool>();
        foreach (ApiKey key in KafkaApis.Supported)
        {
            KafkaMessageAttribute message = KafkaApis.Describe(key);
            for (short version = message.MinVersion; version <= message.MaxVersion; version++)
            {
                data.Add(key, version, false);
                data.Add(key, version, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMessageVersion))]
    public void EveryDeclaredMessage_RoundTripsAtEveryVersion(ApiKey key, short version, bool response)
    {
        Type type = response ? KafkaApis.ResponseType(key) : KafkaApis.RequestType(key);
        var writer = new KafkaWriter();
        KafkaCodec.Write(type, writer, Activator.CreateInstance(type)!, version);

        var reader = new KafkaReader(writer.ToArray());
        object read = KafkaCodec.Read(type, reader, version);
        Assert.Equal(0, reader.Remaining);

        var again = new KafkaWriter();
        KafkaCodec.Write(type, again, read, version);
        Assert.Equal(writer.ToArray(), again.ToArray());
    }

    [Fact]
    public void AVersionOutsideTheDeclaredRange_IsRefused()
    {
        var error = Assert.Throws<KafkaProtocolException>(() => Encode(new MetadataRequest(), 13));

        Assert.Equal("MetadataRequest version 13 is not supported (versions 0-12).", error.Message);
    }

    [Fact]
    public void AFlexibleRequestHeader_KeepsANonCompactClientId_AndEndsWithTaggedFields()
    {
        var writer = new KafkaWriter();
        new RequestHeader(ApiKey.Metadata, 12, 7, "rdkafka").Write(writer, flexible: true);

        Assert.Equal(Convert.FromHexString("0003" + "000C" + "00000007" + "0007" + Hex("rdkafka") + "00"), writer.ToArray());
        RequestHeader read = RequestHeader.Read(new KafkaReader(writer.ToArray()), KafkaApis.UsesFlexibleHeader);
        Assert.Equal(new RequestHeader(ApiKey.Metadata, 12, 7, "rdkafka"), read);
    }

    private static byte[] Encode<T>(T message, short version)
        where T : class
    {
        var writer = new KafkaWriter();
        KafkaCodec.Write(writer, message, version);
        return writer.ToArray();
    }

    private static string Hex(string text) => Convert.ToHexString(System.Text.Encoding.UTF8.GetBytes(text));
}
