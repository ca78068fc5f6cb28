using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Grains.Tests.Partitions;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests;

/// <summary>
/// Protects against serving a deleted topic's data (Kafka's topic ids, KIP-516): a partition directory
/// records its topic's id; opened for a topic of the same name with another id — the topic was deleted
/// while this node was down and then re-created — the old data is deleted and the copy starts empty; the
/// same id, or a directory from before ids, keeps its data. A stray found while the topic is missing is
/// deleted only while it still is that stray: the copy of a topic re-created meanwhile stays.
/// </summary>
public sealed class LogManagerTopicIdTests : IDisposable
{
    private static readonly TopicPartition Id = new("orders", 0);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "olog-lmt-" + Guid.NewGuid().ToString("N")[..8]);
    private LogManager _logs;

    public LogManagerTopicIdTests() => _logs = NewManager();

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ADirectoryOfADeletedTopicOfTheSameName_IsDeletedAndNeverServed()
    {
        Guid deleted = Guid.NewGuid();
        await WriteOneRecordAsync(deleted);
        Restart();

        Partition recreated = await _logs.GetOrOpenAsync(Id, new TopicConfig(), Guid.NewGuid(), Token);

        Assert.Equal(0, recreated.Log.LogEndOffset);
        Assert.Empty(recreated.Log.LeaderEpochCache.Entries);
    }

    [Fact]
    public async Task TheSameTopicId_KeepsTheData()
    {
        Guid topic = Guid.NewGuid();
        await WriteOneRecordAsync(topic);
        Restart();

        Partition reopened = await _logs.GetOrOpenAsync(Id, new TopicConfig(), topic, Token);

        Assert.Equal(1, reopened.Log.LogEndOffset);
        Assert.Equal(topic, PartitionMetadataFile.Read(PhysicalLogFileSystem.Instance, reopened.Log.Directory));
    }

    [Fact]
    public async Task ADirectoryFromBeforeTopicIds_KeepsItsDataAndLearnsTheId()
    {
        await WriteOneRecordAsync(Guid.Empty);
        Restart();
        Guid topic = Guid.NewGuid();

        Partition reopened = await _logs.GetOrOpenAsync(Id, new TopicConfig(), topic, Token);

        Assert.Equal(1, reopened.Log.LogEndOffset);
        Assert.Equal(topic, PartitionMetadataFile.Read(PhysicalLogFileSystem.Instance, reopened.Log.Directory));
    }

    [Fact]
    public async Task AnOpenCopyOfADeletedTopic_IsNotHandedToTheNewOne()
    {
        Partition old = await WriteOneRecordAsync(Guid.NewGuid());

        Partition recreated = await _logs.GetOrOpenAsync(Id, new TopicConfig(), Guid.NewGuid(), Token);

        Assert.NotSame(old, recreated);
        Assert.Equal(0, recreated.Log.LogEndOffset);
    }

    [Fact]
    public async Task AStrayFoundWhileItsTopicIsMissing_IsDeleted()
    {
        Guid deleted = Guid.NewGuid();
        await WriteOneRecordAsync(deleted);
        Restart();
        Guid? seen = _logs.TopicIdOf(Id);
        bool stopped = false;

        Assert.True(_logs.DeleteStray(Id, seen, () => stopped = true));

        Assert.Equal(deleted, seen);
        Assert.True(stopped);
        Assert.False(Directory.Exists(Path.Combine(_logs.LogsDirectory, Id.ToDirectoryName())));
    }

    [Fact]
    public async Task ATopicRecreatedAfterTheStrayWasSeen_KeepsItsNewCopy()
    {
        await WriteOneRecordAsync(Guid.NewGuid());
        Restart();
        Guid? seen = _logs.TopicIdOf(Id); // the supervisor sees the stray, then asks whether its topic exists
        Guid recreatedId = Guid.NewGuid();
        Partition recreated = await _logs.GetOrOpenAsync(Id, new TopicConfig(), recreatedId, Token); // meanwhile: re-created, followed here
        bool stopped = false;

        Assert.False(_logs.DeleteStray(Id, seen, () => stopped = true)); // the answer came: the old topic is missing

        Assert.False(stopped);
        Assert.True(_logs.TryGet(Id, out Partition? open));
        Assert.Same(recreated, open);
        Assert.Equal(recreatedId, PartitionMetadataFile.Read(PhysicalLogFileSystem.Instance, recreated.Log.Directory));
    }

    private async Task<Partition> WriteOneRecordAsync(Guid topicId)
    {
        Partition copy = await _logs.GetOrOpenAsync(Id, new TopicConfig(), topicId, Token);
        copy.BecomeLeader(new LeaderAndIsr("n", 3, ["n"], ["n"], 0), new RecordingLeaderHost());
        Assert.True((await copy.AppendAsync(PartitionTestBed.Batch("old"), Acks.Leader, Token)).IsSuccess);
        return copy;
    }

    private void Restart()
    {
        _logs.Dispose();
        _logs = NewManager();
    }

    private LogManager NewManager() =>
        new(Options.Create(new OrleansLogOptions { DataDirectory = _directory }), TimeProvider.System, NullLoggerFactory.Instance);

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
