using OrleansLog.Grains.Partitions;
using OrleansLog.Grains.Replication;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// Protects producer-state snapshots: a clean close leaves a snapshot at the log end, so the next open
/// replays nothing; after a crash the newest snapshot (written at segment roll) is loaded and only the
/// batches after it replayed; a corrupt, torn or stale snapshot is skipped — for an older one or a full
/// scan — and never yields a wrong dedupe.
/// </summary>
public sealed class ProducerStateSnapshotTests : IDisposable
{
    private readonly PartitionTestBed _bed = new(new TopicConfig { SegmentBytes = 1024 });
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AfterACleanClose_TheNextOpenReplaysNothing_AndStillRecognisesARetry()
    {
        await ProduceAsync(count: 20);

        Partition reopened = _bed.Reopen("A");

        Assert.Equal(20, reopened.ProducerStateLoad.SnapshotOffset);
        Assert.Equal(0, reopened.ProducerStateLoad.BatchesReplayed);
        await AssertRetryIsDuplicateAsync(reopened, sequence: 19, expectedOffset: 19);
    }

    [Fact]
    public async Task AfterACrash_TheSnapshotOfTheLastRollIsLoaded_AndOnlyTheBatchesAfterItReplayed()
    {
        await ProduceAsync(count: 40);
        long activeSegment = _bed["A"].Log.ActiveSegmentBaseOffset;
        Assert.True(activeSegment > 0, "the test needs at least one roll");

        Partition reopened = _bed.Reopen("A", closeCleanly: false);

        Assert.Equal(activeSegment, reopened.ProducerStateLoad.SnapshotOffset);
        Assert.Equal(40 - activeSegment, reopened.ProducerStateLoad.BatchesReplayed);
        await AssertRetryIsDuplicateAsync(reopened, sequence: 39, expectedOffset: 39);
    }

    [Fact]
    public async Task ACorruptSnapshot_IsSkipped_AndTheLogIsScannedInstead()
    {
        await ProduceAsync(count: 20);
        _bed["A"].Close();
        string snapshot = ProducerStateSnapshot.PathOf(_bed.DirectoryOf("A"), 20);
        byte[] bytes = File.ReadAllBytes(snapshot);
        bytes[12] ^= 0x55;
        File.WriteAllBytes(snapshot, bytes);
        foreach (long older in ProducerStateSnapshot.List(PhysicalLogFileSystem.Instance, _bed.DirectoryOf("A")).Where(o => o != 20))
        {
            File.Delete(ProducerStateSnapshot.PathOf(_bed.DirectoryOf("A"), older));
        }

        Partition reopened = _bed.Reopen("A", closeCleanly: false);

        Assert.Equal(-1, reopened.ProducerStateLoad.SnapshotOffset);
        Assert.Equal(20, reopened.ProducerStateLoad.BatchesReplayed);
        Assert.False(File.Exists(snapshot));
        await AssertRetryIsDuplicateAsync(reopened, sequence: 19, expectedOffset: 19);
    }

    [Fact]
    public async Task ASnapshotAboveTheLogEnd_IsDeleted_NotLoaded()
    {
        await ProduceAsync(count: 5);
        string directory = _bed.DirectoryOf("A");
        _bed["A"].Close();

        // A snapshot of records that are gone (recovery cut them): its state would call new batches duplicates.
        File.Copy(ProducerStateSnapshot.PathOf(directory, 5), ProducerStateSnapshot.PathOf(directory, 500));

        Partition reopened = _bed.Reopen("A", closeCleanly: false);

        Assert.Equal(5, reopened.ProducerStateLoad.SnapshotOffset);
        Assert.False(File.Exists(ProducerStateSnapshot.PathOf(directory, 500)));
    }

    [Fact]
    public void ASnapshot_RoundTripsEveryProducersRetainedBatches()
    {
        ProducerSnapshotEntry[] entries =
        [
            new(7, 2, 41, [new ProducerBatch(40, 41, 100, 101, 1234, null)]),
            new(long.MaxValue, 0, int.MaxValue, []),
        ];

        IReadOnlyList<ProducerSnapshotEntry> read = ProducerStateSnapshot.Deserialize(ProducerStateSnapshot.Serialize(entries));

        Assert.Equal(2, read.Count);
        Assert.Equal((7L, (short)2, 41), (read[0].ProducerId, read[0].Epoch, read[0].LastSequence));
        Assert.Equal(entries[0].Batches[0], read[0].Batches[0]);
        Assert.Empty(read[1].Batches);
    }

    [Fact]
    public void ATornSnapshot_IsReportedAsSuch()
    {
        byte[] bytes = ProducerStateSnapshot.Serialize([new(7, 0, 3, [new ProducerBatch(0, 3, 0, 3, 1, null)])]);

        var error = Assert.Throws<InvalidDataException>(() => ProducerStateSnapshot.Deserialize(bytes.AsSpan(0, bytes.Length - 9)));

        Assert.Contains("CRC-32C", error.Message);
    }

    private async Task ProduceAsync(int count)
    {
        Partition leader = _bed["A"].Role == PartitionRole.Leader ? _bed["A"] : _bed.Lead("A", 1, ["A"]);
        for (int sequence = 0; sequence < count; sequence++)
        {
            AppendResult result = await leader.AppendAsync(PartitionTestBed.Batch($"value-{sequence:D4}", producerId: 9, baseSequence: sequence), Acks.Leader, Token);
            Assert.True(result.IsSuccess, result.Message);
        }
    }

    private async Task AssertRetryIsDuplicateAsync(Partition reopened, int sequence, long expectedOffset)
    {
        reopened.BecomeLeader(new LeaderAndIsr("A", 2, ["A"], ["A"], 0), _bed.Host);
        long logEnd = reopened.Log.LogEndOffset;
        AppendResult retry = await reopened.AppendAsync(PartitionTestBed.Batch($"value-{sequence:D4}", producerId: 9, baseSequence: sequence), Acks.Leader, Token);
        Assert.True(retry.IsSuccess, retry.Message);
        Assert.Equal(expectedOffset, retry.BaseOffset);
        Assert.Equal(logEnd, reopened.Log.LogEndOffset);
    }

    public void Dispose() => _bed.Dispose();
}
