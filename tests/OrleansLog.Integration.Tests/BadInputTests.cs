using OrleansLog.Grains;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// The bad-input catalogue: every malformed request gets Kafka's exact error code and a message naming
/// what was wrong, and leaves topics and logs exactly as they were.
/// </summary>
public sealed class BadInputTests(InProcessBroker broker) : IClassFixture<InProcessBroker>
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("has space")]
    [InlineData("star*")]
    public async Task CreateTopic_WithIllegalName_IsInvalidTopic_AndCreatesNothing(string name)
    {
        AdminResult result = await broker.Client.GetGrain<ITopicGrain>(name).CreateAsync(1, null, Ct);

        Assert.Equal(ErrorCode.InvalidTopic, result.Error);
        Assert.False((await broker.Client.GetGrain<ITopicGrain>(name).GetMetadataAsync(Ct)).Exists);
        Assert.DoesNotContain(name, await Registry().ListAsync(Ct));
    }

    [Fact]
    public async Task AdminCreateTopic_WithEmptyName_ThrowsInvalidTopic_BeforeReachingAnyGrain()
    {
        var error = await Assert.ThrowsAsync<OrleansLog.Client.OrleansLogException>(
            () => new OrleansLog.Client.OrleansLogAdmin(broker.Client).CreateTopicAsync("", 1, cancellationToken: Ct));
        Assert.Equal(ErrorCode.InvalidTopic, error.Error);
        Assert.False(error.IsRetriable);
    }

    [Fact]
    public async Task CreateTopic_TooLongName_IsInvalidTopic()
    {
        AdminResult result = await broker.Client.GetGrain<ITopicGrain>(new string('x', 250)).CreateAsync(1, null, Ct);
        Assert.Equal(ErrorCode.InvalidTopic, result.Error);
        Assert.Contains("250 characters", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateTopic_Twice_IsTopicAlreadyExists_AndKeepsTheFirst()
    {
        string topic = NewTopic();
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        Assert.True((await grain.CreateAsync(2, null, Ct)).IsSuccess);

        AdminResult again = await grain.CreateAsync(5, new Dictionary<string, string> { ["retention.ms"] = "1" }, Ct);

        Assert.Equal(ErrorCode.TopicAlreadyExists, again.Error);
        TopicMetadata metadata = await grain.GetMetadataAsync(Ct);
        Assert.Equal(2, metadata.PartitionCount);
        Assert.Equal(TopicConfig.Default.RetentionMs, metadata.Config.RetentionMs);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    public async Task CreateTopic_WithZeroOrNegativePartitions_IsInvalidPartitions(int partitions)
    {
        string topic = NewTopic();
        AdminResult result = await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(partitions, null, Ct);

        Assert.Equal(ErrorCode.InvalidPartitions, result.Error);
        Assert.Contains($"was {partitions}", result.Message, StringComparison.Ordinal);
        Assert.False((await broker.Client.GetGrain<ITopicGrain>(topic).GetMetadataAsync(Ct)).Exists);
    }

    [Fact]
    public async Task CreateTopic_WithUnknownConfigKey_OrBadValue_IsInvalidConfig()
    {
        string topic = NewTopic();
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);

        AdminResult unknown = await grain.CreateAsync(1, new Dictionary<string, string> { ["retention.forever"] = "yes" }, Ct);
        AdminResult badValue = await grain.CreateAsync(1, new Dictionary<string, string> { ["retention.ms"] = "tomorrow" }, Ct);

        Assert.Equal(ErrorCode.InvalidConfig, unknown.Error);
        Assert.Contains("retention.forever", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.InvalidConfig, badValue.Error);
        Assert.Contains("retention.ms must be an integer, was 'tomorrow'", badValue.Message, StringComparison.Ordinal);
        Assert.False((await grain.GetMetadataAsync(Ct)).Exists);
    }

    [Fact]
    public async Task CreateTopic_WithReplicationFactorAboveLiveNodes_IsInvalidReplicationFactor()
    {
        AdminResult result = await broker.Client.GetGrain<ITopicGrain>(NewTopic())
            .CreateAsync(1, new Dictionary<string, string> { ["replication.factor"] = "3" }, Ct);
        Assert.Equal(ErrorCode.InvalidReplicationFactor, result.Error);
    }

    [Fact]
    public async Task AlterConfig_WithBadValue_IsInvalidConfig_AndChangesNothing()
    {
        string topic = NewTopic();
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        await grain.CreateAsync(1, new Dictionary<string, string> { ["retention.ms"] = "5000" }, Ct);

        AdminResult result = await grain.AlterConfigAsync(
            new Dictionary<string, string> { ["retention.bytes"] = "100", ["segment.bytes"] = "12" }, Ct);

        Assert.Equal(ErrorCode.InvalidConfig, result.Error);
        TopicConfig config = (await grain.GetMetadataAsync(Ct)).Config;
        Assert.Equal((5000L, -1L), (config.RetentionMs, config.RetentionBytes));
    }

    [Fact]
    public async Task AddPartitions_ToFewerOrEqual_IsInvalidPartitions()
    {
        string topic = NewTopic();
        ITopicGrain grain = broker.Client.GetGrain<ITopicGrain>(topic);
        await grain.CreateAsync(3, null, Ct);

        AdminResult result = await grain.AddPartitionsAsync(3, Ct);

        Assert.Equal(ErrorCode.InvalidPartitions, result.Error);
        Assert.Equal(3, (await grain.GetMetadataAsync(Ct)).PartitionCount);
    }

    [Fact]
    public async Task UnknownTopic_AndUnknownPartition_AreUnknownTopicOrPartition()
    {
        string topic = NewTopic();
        await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(2, null, Ct);

        AppendResult noTopic = await Partition(NewTopic(), 0).AppendAsync(Batches.Of("x"), Acks.Leader, Ct);
        AppendResult noPartition = await Partition(topic, 2).AppendAsync(Batches.Of("x"), Acks.Leader, Ct);
        FetchResult fetch = await Partition(topic, 7).FetchAsync(new FetchRequest(0, 1024, 1, 0), Ct);
        DescribeTopicResult describe = await broker.Client.GetGrain<ITopicGrain>(NewTopic()).DescribeAsync(Ct);

        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noTopic.Error);
        Assert.Contains("does not exist", noTopic.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, noPartition.Error);
        Assert.Contains("has 2 partitions; partition 2 does not exist", noPartition.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, fetch.Error);
        Assert.Equal(ErrorCode.UnknownTopicOrPartition, describe.Error);
    }

    [Fact]
    public async Task Fetch_AboveLogEnd_OrBelowLogStart_IsOffsetOutOfRange_NamingTheRange()
    {
        string topic = NewTopic();
        await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(1, null, Ct);
        IPartitionGrain partition = Partition(topic, 0);
        await partition.AppendAsync(Batches.Of("a", "b", "c"), Acks.Leader, Ct);
        await partition.AppendAsync(Batches.Of("d"), Acks.Leader, Ct);
        Assert.True((await partition.DeleteRecordsBeforeAsync(3, Ct)).IsSuccess);

        FetchResult above = await partition.FetchAsync(new FetchRequest(10, 1024, 1, 0), Ct);
        FetchResult below = await partition.FetchAsync(new FetchRequest(1, 1024, 1, 0), Ct);
        FetchResult negative = await partition.FetchAsync(new FetchRequest(-1, 1024, 1, 0), Ct);

        Assert.Equal(ErrorCode.OffsetOutOfRange, above.Error);
        Assert.Contains("10", above.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.OffsetOutOfRange, below.Error);
        Assert.Equal(ErrorCode.OffsetOutOfRange, negative.Error);
        Assert.Equal(3, below.LogStartOffset);
        PartitionDescription state = await partition.DescribeAsync(Ct);
        Assert.Equal((3L, 4L), (state.LogStartOffset, state.LogEndOffset));
    }

    [Fact]
    public async Task Append_OversizedBatch_IsMessageTooLarge_AndAppendsNothing()
    {
        string topic = NewTopic();
        await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(1, new Dictionary<string, string> { ["max.message.bytes"] = "200" }, Ct);
        IPartitionGrain partition = Partition(topic, 0);

        AppendResult result = await partition.AppendAsync(Batches.Of(new string('x', 500)), Acks.Leader, Ct);

        Assert.Equal(ErrorCode.MessageTooLarge, result.Error);
        Assert.Equal(0, (await partition.DescribeAsync(Ct)).LogEndOffset);
    }

    [Fact]
    public async Task Append_CorruptBatchBytes_IsCorruptMessage_AndAppendsNothing()
    {
        string topic = NewTopic();
        await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(1, null, Ct);
        IPartitionGrain partition = Partition(topic, 0);
        byte[] flipped = Batches.Of("hello", "world").Bytes;
        flipped[^3] ^= 0x40;
        byte[] truncated = Batches.Of("hello").Bytes[..40];
        byte[] badMagic = Batches.Of("hello").Bytes;
        badMagic[16] = 1;

        AppendResult crc = await partition.AppendAsync(new RecordBatchPayload(flipped), Acks.Leader, Ct);
        AppendResult shortBatch = await partition.AppendAsync(new RecordBatchPayload(truncated), Acks.Leader, Ct);
        AppendResult magic = await partition.AppendAsync(new RecordBatchPayload(badMagic), Acks.Leader, Ct);

        Assert.Equal(ErrorCode.CorruptMessage, crc.Error);
        Assert.Contains("crc", crc.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(ErrorCode.CorruptMessage, shortBatch.Error);
        Assert.Equal(ErrorCode.CorruptMessage, magic.Error);
        Assert.Equal(0, (await partition.DescribeAsync(Ct)).LogEndOffset);
    }

    [Fact]
    public async Task Append_WithInvalidAcks_IsInvalidRequiredAcks()
    {
        string topic = NewTopic();
        await broker.Client.GetGrain<ITopicGrain>(topic).CreateAsync(1, null, Ct);
        AppendResult result = await Partition(topic, 0).AppendAsync(Batches.Of("x"), (Acks)7, Ct);
        Assert.Equal(ErrorCode.InvalidRequiredAcks, result.Error);
    }

    private ITopicRegistryGrain Registry() => broker.Client.GetGrain<ITopicRegistryGrain>(ITopicRegistryGrain.Key);

    private IPartitionGrain Partition(string topic, int partition) =>
        broker.Client.GetGrain<IPartitionGrain>(new TopicPartition(topic, partition).ToGrainKey());

    private static string NewTopic() => "bad-" + Guid.NewGuid().ToString("N")[..10];
}
