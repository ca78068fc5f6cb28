using OrleansLog.Cli.Tests.Support;
using OrleansLog.Records;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>olog log dump</c>: one line per batch with offsets, position, size, count, max timestamp,
/// codec and CRC status; records on request (compressed ones too); damage printed as CORRUPT without
/// stopping the walk; and one JSON object per batch with <c>--format json</c>.
/// </summary>
public sealed class LogDumpTests
{
    [Fact]
    public async Task SegmentFile_PrintsOneLinePerBatch()
    {
        using var dir = new TempDirectory();
        byte[] first = TestSegments.Batch(0, "a", "k=b");
        byte[] second = TestSegments.Batch(2, CompressionType.Lz4, "c");
        string segment = TestSegments.Write(dir.Path, 0, first, second);

        CliRun run = await Olog.RunAsync("log", "dump", segment);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(
            [
                $"Dumping {segment}",
                $"baseOffset: 0 lastOffset: 1 count: 2 position: 0 size: {first.Length} maxTimestamp: 1700000000001 compression: none crc: ok",
                $"baseOffset: 2 lastOffset: 2 count: 1 position: {first.Length} size: {second.Length} maxTimestamp: 1700000000002 compression: lz4 crc: ok",
            ],
            run.OutLines);
    }

    [Fact]
    public async Task WithRecords_PrintsEachRecordUnderItsBatch_IncludingCompressedAndNull()
    {
        using var dir = new TempDirectory();
        string segment = TestSegments.Write(
            dir.Path, 0, TestSegments.Batch(0, "a", "k=b"), TestSegments.Batch(2, CompressionType.Zstd, "user=clicked", null));

        CliRun run = await Olog.RunAsync("log", "dump", segment, "--records");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(
            [
                "| offset: 0 timestamp: 1700000000000 key: null value: a",
                "| offset: 1 timestamp: 1700000000001 key: k value: b",
                "| offset: 2 timestamp: 1700000000002 key: user value: clicked",
                "| offset: 3 timestamp: 1700000000003 key: null value: null",
            ],
            run.OutLines.Where(l => l.StartsWith('|')));
    }

    [Fact]
    public async Task CorruptBatch_IsPrintedAsCorrupt_AndLaterBatchesStillShow()
    {
        using var dir = new TempDirectory();
        byte[] first = TestSegments.Batch(0, "a");
        byte[] second = TestSegments.Batch(1, "b");
        byte[] third = TestSegments.Batch(2, "c");
        string segment = TestSegments.Write(dir.Path, 0, first, second, third);
        TestSegments.CorruptByte(segment, first.Length + second.Length - 1);

        CliRun run = await Olog.RunAsync("log", "dump", segment, "--records");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        string[] lines = run.OutLines;
        Assert.Equal(6, lines.Length);
        Assert.StartsWith($"baseOffset: 1 lastOffset: 1 count: 1 position: {first.Length} size: {second.Length} maxTimestamp: 1700000000001 compression: none crc: CORRUPT: crc expected 0x", lines[3], StringComparison.Ordinal);
        Assert.Equal("| offset: 2 timestamp: 1700000000002 key: null value: c", lines[5]);
    }

    [Fact]
    public async Task TornTail_IsPrintedWithItsPosition()
    {
        using var dir = new TempDirectory();
        byte[] first = TestSegments.Batch(0, "a");
        string segment = TestSegments.Write(dir.Path, 0, first, [1, 2, 3]);

        CliRun run = await Olog.RunAsync("log", "dump", segment);

        Assert.Equal($"position: {first.Length} CORRUPT: 3 trailing bytes, fewer than the 12-byte batch prefix (a torn write?)", run.OutLines[^1]);
    }

    [Fact]
    public async Task PartitionDirectory_DumpsEverySegmentInOffsetOrder()
    {
        using var dir = new TempDirectory();
        string later = TestSegments.Write(dir.Path, 1, TestSegments.Batch(1, "b"));
        string earlier = TestSegments.Write(dir.Path, 0, TestSegments.Batch(0, "a"));
        File.WriteAllBytes(dir.Combine("00000000000000000000.index"), new byte[8]);
        File.WriteAllBytes(dir.Combine("00000000000000000002.log.deleted"), new byte[8]);

        CliRun run = await Olog.RunAsync("log", "dump", dir.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal([$"Dumping {earlier}", $"Dumping {later}"], run.OutLines.Where(l => l.StartsWith("Dumping", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task JsonFormat_PrintsOneObjectPerBatch()
    {
        using var dir = new TempDirectory();
        byte[] batch = TestSegments.Batch(0, "k=v", null);
        string segment = TestSegments.Write(dir.Path, 0, batch);

        CliRun run = await Olog.RunAsync("log", "dump", segment, "--records", "--format", "json");

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.Equal(
            [
                "{\"file\":\"" + segment + "\",\"position\":0,\"base_offset\":0,\"last_offset\":1,\"size_bytes\":" + batch.Length +
                ",\"record_count\":2,\"max_timestamp\":1700000000001,\"compression\":\"none\",\"crc\":\"ok\",\"problem\":null,\"records\":[" +
                "{\"offset\":0,\"timestamp\":1700000000000,\"key\":\"k\",\"value\":\"v\"},{\"offset\":1,\"timestamp\":1700000000001,\"key\":null,\"value\":null}]}",
            ],
            run.OutLines);
    }
}
