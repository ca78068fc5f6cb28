using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects the recovery contract: after an unclean stop whose tail was torn, padded with garbage or
/// corrupted, every batch before the damage comes back byte for byte, nothing from the damage on is ever
/// served, the log accepts new appends at the cut, and a second restart sees all of it (Garnet
/// RespAofTornTailTests style: write, kill, damage, recover, assert, write again, recover again).
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public async Task Recover_CutsTheTornTail_AtEveryBytePositionOfTheLastBatch()
    {
        using var harness = new LogHarness();

        // 1. write 24 batches of 161 bytes: with 1 KiB segments that is four segments.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 24; i++)
        {
            await harness.AppendAsync(log);
        }

        Assert.True(log.SegmentCount >= 4, $"expected several segments, got {log.SegmentCount}");
        string lastSegment = LogFileNames.LogFile(harness.Directory, log.SegmentBaseOffsets[^1]);

        // 2. kill: no flush, no checkpoint, no clean-shutdown marker.
        log.Abandon();
        Dictionary<string, byte[]> crashed = Snapshot(harness.Directory);
        int lastBatchSize = harness.Acknowledged[^1].Length;
        long lastBatchStart = crashed[lastSegment].Length - lastBatchSize;
        List<byte[]> survivors = harness.Acknowledged[..^1];

        for (long cut = lastBatchStart; cut < crashed[lastSegment].Length; cut++)
        {
            // 3. damage: the last batch is torn at byte `cut`.
            Restore(harness.Directory, crashed);
            using (FileStream file = File.OpenWrite(lastSegment))
            {
                file.SetLength(cut);
            }

            // 4. recover: everything before the torn batch is intact, the torn batch is gone.
            PartitionLog recovered = harness.Open();
            Assert.False(recovered.LastRecovery.WasCleanShutdown);
            Assert.Equal(cut - lastBatchStart, recovered.LastRecovery.BytesTruncated);
            if (cut > lastBatchStart)
            {
                Assert.Equal(lastBatchStart, recovered.LastRecovery.TruncatedPosition);
                Assert.Equal(lastSegment, recovered.LastRecovery.TruncatedFile);
                Assert.Equal(23, recovered.LastRecovery.FirstTruncatedOffset);
            }

            LogHarness.AssertHolds(recovered, survivors);

            // 5. write again at the cut, recover again: all of it is there.
            byte[] again = TestBatches.Create(2, 50, 2_000, seed: (int)cut);
            await recovered.AppendAsync(again, 1, TestContext.Current.CancellationToken);
            Assert.Equal(23, RecordBatchHeader.Read(again).BaseOffset);
            recovered.Abandon();
            PartitionLog reopened = harness.Open();
            LogHarness.AssertHolds(reopened, [.. survivors, again]);
            reopened.Close();
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(12)]
    [InlineData(61)]
    [InlineData(200)]
    [InlineData(5000)]
    public async Task Recover_CutsRandomGarbage_AppendedAfterTheLastBatch(int garbageBytes)
    {
        using var harness = new LogHarness();

        // 1. write 10 batches.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 10; i++)
        {
            await harness.AppendAsync(log);
        }

        string lastSegment = LogFileNames.LogFile(harness.Directory, log.SegmentBaseOffsets[^1]);

        // 2. kill.
        log.Abandon();

        // 3. damage: "nonsense blocks" after the data, as when the inode size landed before the data.
        byte[] garbage = new byte[garbageBytes];
        new Random(garbageBytes).NextBytes(garbage);
        long validLength = new FileInfo(lastSegment).Length;
        using (FileStream file = new(lastSegment, FileMode.Append))
        {
            file.Write(garbage);
        }

        // 4. recover: the garbage is cut, every batch is intact.
        PartitionLog recovered = harness.Open();
        Assert.Equal(garbageBytes, recovered.LastRecovery.BytesTruncated);
        Assert.Equal(validLength, recovered.LastRecovery.TruncatedPosition);
        Assert.Equal(validLength, new FileInfo(lastSegment).Length);
        LogHarness.AssertHolds(recovered, harness.Acknowledged);
        Assert.Contains(harness.Logger.Entries, e => e.Message.Contains($"truncated '{lastSegment}' at position {validLength}", StringComparison.Ordinal));

        // 5. write again, recover again.
        await harness.AppendAsync(recovered);
        recovered.Abandon();
        PartitionLog reopened = harness.Open();
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        reopened.Close();
    }

    [Fact]
    public async Task Recover_CutsGarbage_ThatLooksLikeABatchHeaderWithAWrongCrc()
    {
        using var harness = new LogHarness();

        // 1. write 5 batches.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 5; i++)
        {
            await harness.AppendAsync(log);
        }

        // 2. kill.
        string lastSegment = LogFileNames.LogFile(harness.Directory, log.SegmentBaseOffsets[^1]);
        log.Abandon();

        // 3. damage: a well-framed batch with the next offset whose payload changed after its CRC was computed.
        byte[] forged = TestBatches.Create(1, 40, 1_000, seed: 99);
        RecordBatchHeader.WriteBaseOffset(forged, 5);
        forged[^1] ^= 0xFF;
        using (FileStream file = new(lastSegment, FileMode.Append))
        {
            file.Write(forged);
        }

        // 4. recover: the forged batch is rejected for its CRC.
        PartitionLog recovered = harness.Open();
        Assert.Equal(forged.Length, recovered.LastRecovery.BytesTruncated);
        Assert.Contains("CRC", recovered.LastRecovery.Reason, StringComparison.Ordinal);
        LogHarness.AssertHolds(recovered, harness.Acknowledged);
        recovered.Close();
    }

    [Fact]
    public async Task Recover_CutsAtAFlippedByte_InTheMiddleOfABatch_AndDeletesEverythingAfterIt()
    {
        using var harness = new LogHarness();

        // 1. write 24 batches over several segments.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 24; i++)
        {
            await harness.AppendAsync(log);
        }

        // 2. kill.
        long lastBase = log.SegmentBaseOffsets[^1];
        string lastSegment = LogFileNames.LogFile(harness.Directory, lastBase);
        log.Abandon();

        // 3. damage: flip one payload byte in the middle of the second batch of the last segment.
        int batchSize = harness.Acknowledged[0].Length;
        long victimPosition = batchSize;
        long victimOffset = lastBase + 1;
        using (FileStream file = new(lastSegment, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = victimPosition + (batchSize / 2);
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x01));
        }

        // 4. recover: batches before the victim are intact; the victim and everything after are gone.
        PartitionLog recovered = harness.Open();
        Assert.Equal(victimOffset, recovered.LastRecovery.FirstTruncatedOffset);
        Assert.Equal(victimPosition, recovered.LastRecovery.TruncatedPosition);
        Assert.Equal(lastSegment, recovered.LastRecovery.TruncatedFile);
        List<byte[]> survivors = harness.Acknowledged[..(int)victimOffset];
        LogHarness.AssertHolds(recovered, survivors);
        var beyond = new System.Buffers.ArrayBufferWriter<byte>();
        Assert.Equal(ErrorCode.OffsetOutOfRange, recovered.Read(victimOffset + 1, 1 << 20, long.MaxValue, beyond).ErrorCode);

        // 5. write again, recover again.
        byte[] again = TestBatches.Create(3, 80, 3_000, seed: 7);
        await recovered.AppendAsync(again, 0, TestContext.Current.CancellationToken);
        recovered.Abandon();
        PartitionLog reopened = harness.Open();
        LogHarness.AssertHolds(reopened, [.. survivors, again]);
        reopened.Close();
    }

    [Fact]
    public async Task Recover_DeletesLaterSegments_WhenAnEarlierRescannedSegmentIsCorrupt()
    {
        using var harness = new LogHarness();

        // 1. write 24 batches over several segments, with nothing flushed (recovery point 0).
        harness.Options.SegmentBytes = 1024;
        PartitionLog log = harness.Open();
        for (int i = 0; i < 24; i++)
        {
            await harness.AppendAsync(log);
        }

        IReadOnlyList<long> bases = log.SegmentBaseOffsets;

        // 2. kill, and forget the recovery point so every segment is rescanned.
        log.Abandon();
        File.Delete(Path.Combine(harness.Directory, LogFileNames.RecoveryPointCheckpoint));

        // 3. damage: flip a byte in the first batch of the second segment.
        string second = LogFileNames.LogFile(harness.Directory, bases[1]);
        using (FileStream file = new(second, FileMode.Open, FileAccess.ReadWrite))
        {
            file.Position = 100;
            int b = file.ReadByte();
            file.Position--;
            file.WriteByte((byte)(b ^ 0x80));
        }

        // 4. recover: the first segment survives, the second is cut to nothing, later ones are deleted.
        PartitionLog recovered = harness.Open();
        Assert.Equal(bases[1], recovered.LogEndOffset);
        Assert.Equal(bases.Count - 2, recovered.LastRecovery.DeletedSegments.Count(p => p.EndsWith(".log", StringComparison.Ordinal)));
        LogHarness.AssertHolds(recovered, harness.Acknowledged[..(int)bases[1]]);
        Assert.False(File.Exists(LogFileNames.LogFile(harness.Directory, bases[2])));
        recovered.Close();
    }

    [Fact]
    public async Task CleanClose_SkipsTheRescan_AndReopensWithEverything()
    {
        using var harness = new LogHarness();

        // 1. write and close cleanly.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 20; i++)
        {
            await harness.AppendAsync(log);
        }

        log.Close();
        Assert.True(File.Exists(Path.Combine(harness.Directory, LogFileNames.CleanShutdownMarker)));

        // 2. reopen: clean, nothing scanned, the marker is consumed.
        PartitionLog reopened = harness.Open();
        Assert.True(reopened.LastRecovery.WasCleanShutdown);
        Assert.Equal(0, reopened.LastRecovery.SegmentsScanned);
        Assert.Equal(reopened.LogEndOffset, reopened.RecoveryPoint);
        Assert.False(File.Exists(Path.Combine(harness.Directory, LogFileNames.CleanShutdownMarker)));
        LogHarness.AssertHolds(reopened, harness.Acknowledged);

        // 3. kill after more appends: the consumed marker cannot make the next open skip recovery.
        await harness.AppendAsync(reopened);
        reopened.Abandon();
        PartitionLog recovered = harness.Open();
        Assert.False(recovered.LastRecovery.WasCleanShutdown);
        LogHarness.AssertHolds(recovered, harness.Acknowledged);
        recovered.Close();
    }

    [Fact]
    public async Task StaleCleanShutdownMarker_ThatDoesNotMatchTheFiles_IsIgnored()
    {
        using var harness = new LogHarness();

        // 1. write, close cleanly, keep a copy of the marker.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 3; i++)
        {
            await harness.AppendAsync(log);
        }

        log.Close();
        string marker = Path.Combine(harness.Directory, LogFileNames.CleanShutdownMarker);
        byte[] markerBytes = File.ReadAllBytes(marker);

        // 2. reopen, append, crash; then put the old marker back as if its deletion had been lost.
        PartitionLog reopened = harness.Open();
        await harness.AppendAsync(reopened);
        reopened.Abandon();
        File.WriteAllBytes(marker, markerBytes);
        string active = LogFileNames.LogFile(harness.Directory, 0);
        using (FileStream file = new(active, FileMode.Append))
        {
            file.Write(new byte[] { 1, 2, 3 });
        }

        // 3. recover: the marker does not match, so the torn tail is found and cut.
        PartitionLog recovered = harness.Open();
        Assert.False(recovered.LastRecovery.WasCleanShutdown);
        Assert.Equal(3, recovered.LastRecovery.BytesTruncated);
        LogHarness.AssertHolds(recovered, harness.Acknowledged);
        recovered.Close();
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.GetFiles(directory).ToDictionary(path => path, File.ReadAllBytes);

    private static void Restore(string directory, Dictionary<string, byte[]> snapshot)
    {
        foreach (string path in Directory.GetFiles(directory))
        {
            File.Delete(path);
        }

        foreach ((string path, byte[] bytes) in snapshot)
        {
            File.WriteAllBytes(path, bytes);
        }
    }
}
