using System.Buffers.Binary;
using OrleansLog.Records;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects "indexes are caches": a missing, torn or corrupt .index/.timeindex is rebuilt from the log,
/// and no corruption of an index, however plausible it looks, ever makes a read or a timestamp lookup
/// return the wrong batch.
/// </summary>
public sealed class IndexRecoveryTests
{
    [Fact]
    public async Task Open_RebuildsMissingIndexFiles_IdenticalToTheOriginals()
    {
        using var harness = new LogHarness();

        // 1. write over several segments with a dense index, close cleanly, keep the closed segments' indexes.
        PartitionLog log = await WriteAsync(harness, batches: 30);
        IReadOnlyList<long> bases = log.SegmentBaseOffsets;
        log.Close();
        var originals = new Dictionary<string, byte[]>();
        foreach (long baseOffset in bases.Take(bases.Count - 1))
        {
            foreach (string path in new[] { LogFileNames.IndexFile(harness.Directory, baseOffset), LogFileNames.TimeIndexFile(harness.Directory, baseOffset) })
            {
                originals[path] = File.ReadAllBytes(path);
                Assert.NotEmpty(originals[path]);
            }
        }

        // 2. delete every index file.
        foreach (string path in Directory.GetFiles(harness.Directory, "*index"))
        {
            File.Delete(path);
        }

        // 3. reopen: they are rebuilt, byte for byte, and reads work.
        PartitionLog reopened = harness.Open();
        Assert.Equal(2 * bases.Count, reopened.LastRecovery.RebuiltIndexes.Count);
        foreach ((string path, byte[] bytes) in originals)
        {
            Assert.Equal(bytes, File.ReadAllBytes(path));
        }

        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        AssertTimestampLookups(reopened, harness.Acknowledged);
        reopened.Close();
    }

    [Fact]
    public async Task Open_RebuildsAnIndex_WhoseSizeIsNotAMultipleOfTheEntrySize()
    {
        using var harness = new LogHarness();
        PartitionLog log = await WriteAsync(harness, batches: 30);
        long firstBase = log.SegmentBaseOffsets[0];
        log.Close();

        string index = LogFileNames.IndexFile(harness.Directory, firstBase);
        string timeIndex = LogFileNames.TimeIndexFile(harness.Directory, firstBase);
        byte[] expectedIndex = File.ReadAllBytes(index);
        File.WriteAllBytes(index, expectedIndex[..^3]);
        File.AppendAllText(timeIndex, "x");

        PartitionLog reopened = harness.Open();
        Assert.Contains(index, reopened.LastRecovery.RebuiltIndexes);
        Assert.Equal(expectedIndex, File.ReadAllBytes(index));
        Assert.Equal(0, new FileInfo(timeIndex).Length % 12);
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        reopened.Close();
    }

    [Theory]
    [InlineData("random bytes")]
    [InlineData("positions shifted")]
    [InlineData("positions swapped")]
    [InlineData("middle entries wrong, last entry right")]
    [InlineData("time index random")]
    [InlineData("time index offsets moved forward")]
    public async Task CorruptIndex_NeverProducesAWrongRead(string corruption)
    {
        using var harness = new LogHarness();
        harness.Options.IndexIntervalBytes = 0;
        harness.Options.SegmentBytes = 4096;

        // 1. write 40 batches of varying size (one index entry per batch), close cleanly.
        PartitionLog log = harness.Open();
        for (int i = 0; i < 40; i++)
        {
            await harness.AppendAsync(log, records: 1 + (i % 4), payloadBytes: 20 + (i * 7 % 90), timestamp: 10_000 + (i * 100));
        }

        IReadOnlyList<long> bases = log.SegmentBaseOffsets;
        log.Close();

        // 2. corrupt the index files of every segment.
        var random = new Random(corruption.Length);
        foreach (long baseOffset in bases)
        {
            string index = LogFileNames.IndexFile(harness.Directory, baseOffset);
            string timeIndex = LogFileNames.TimeIndexFile(harness.Directory, baseOffset);
            byte[] bytes = File.ReadAllBytes(corruption.StartsWith("time", StringComparison.Ordinal) ? timeIndex : index);
            int entries = bytes.Length / 8;
            int timeEntries = bytes.Length / 12;
            switch (corruption)
            {
                case "random bytes":
                case "time index random":
                    random.NextBytes(bytes);
                    break;
                case "positions shifted":
                    for (int e = 0; e < entries; e++)
                    {
                        int position = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan((e * 8) + 4));
                        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan((e * 8) + 4), position + 7);
                    }

                    break;
                case "positions swapped":
                    for (int e = 0; e + 1 < entries; e += 2)
                    {
                        (bytes[(e * 8) + 4], bytes[(e * 8) + 12]) = (bytes[(e * 8) + 12], bytes[(e * 8) + 4]);
                    }

                    break;
                case "time index offsets moved forward":
                    // Still increasing timestamps and non-decreasing offsets, so it loads; every entry now
                    // claims the last batch, which would make lookups skip the batches in between.
                    for (int e = 0; e < timeEntries - 1; e++)
                    {
                        bytes.AsSpan(((timeEntries - 1) * 12) + 8, 4).CopyTo(bytes.AsSpan((e * 12) + 8));
                    }

                    break;
                case "middle entries wrong, last entry right":
                    for (int e = 0; e < entries - 1; e++)
                    {
                        int relative = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(e * 8));
                        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(e * 8), relative - 1);
                    }

                    break;
            }

            File.WriteAllBytes(corruption.StartsWith("time", StringComparison.Ordinal) ? timeIndex : index, bytes);
        }

        // 3. reopen and read every offset one by one, then look up every timestamp.
        PartitionLog reopened = harness.Open();
        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        AssertTimestampLookups(reopened, harness.Acknowledged);
        if (corruption is "middle entries wrong, last entry right" or "time index offsets moved forward")
        {
            // The load-time checks pass these; the reads must have caught them themselves.
            Assert.Contains(harness.Logger.Entries, e => e.EventId == 5);
        }

        // 4. the next append rebuilds any index a read found suspect; reads still agree.
        await harness.AppendAsync(reopened, timestamp: 20_000);
        if (corruption is "middle entries wrong, last entry right" or "time index offsets moved forward")
        {
            Assert.Contains(harness.Logger.Entries, e => e.EventId == 6);
        }

        LogHarness.AssertHolds(reopened, harness.Acknowledged);
        reopened.Close();
        PartitionLog again = harness.Open();
        LogHarness.AssertHolds(again, harness.Acknowledged);
        AssertTimestampLookups(again, harness.Acknowledged);
        again.Close();
    }

    private static async Task<PartitionLog> WriteAsync(LogHarness harness, int batches)
    {
        PartitionLog log = harness.Open();
        for (int i = 0; i < batches; i++)
        {
            await harness.AppendAsync(log, records: 2, payloadBytes: 40 + (i % 5 * 10), timestamp: 1_000 + (i * 10));
        }

        return log;
    }

    /// <summary>Every batch's own maxTimestamp finds that batch; a time past the last finds nothing.</summary>
    private static void AssertTimestampLookups(PartitionLog log, IReadOnlyList<byte[]> batches)
    {
        foreach (byte[] batch in batches)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(batch);
            TimestampOffset? found = log.OffsetForTimestamp(header.MaxTimestamp);
            Assert.Equal(new TimestampOffset(header.MaxTimestamp, header.BaseOffset), found);
        }

        Assert.Null(log.OffsetForTimestamp(RecordBatchHeader.Read(batches[^1]).MaxTimestamp + 1));
    }
}
