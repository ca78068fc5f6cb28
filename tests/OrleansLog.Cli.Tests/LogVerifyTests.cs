using OrleansLog.Cli.Tests.Support;
using OrleansLog.Records;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>olog log verify</c>, the offline check of a stopped silo's data: sound logs pass with a
/// summary; a flipped byte, a torn tail, bad magic, an offset gap or a segment that does not follow its
/// predecessor each make it exit non-zero with one error line naming the file and the byte position.
/// </summary>
public sealed class LogVerifyTests
{
    [Fact]
    public async Task SoundPartition_PassesWithASummary()
    {
        using var dir = new TempDirectory();
        string partition = dir.Combine("orders-0");
        byte[] first = TestSegments.Batch(0, "a", "b", "c");
        byte[] second = TestSegments.Batch(3, "d", "e");
        byte[] third = TestSegments.Batch(5, CompressionType.Gzip, "f", "g");
        TestSegments.Write(partition, 0, first, second);
        TestSegments.Write(partition, 5, third);

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        long bytes = first.Length + second.Length + third.Length;
        Assert.Equal([$"checked 1 partition(s), 2 segment(s), 3 batch(es), 7 record(s), {bytes} byte(s), 0 index file(s): OK"], run.OutLines);
        Assert.Equal(string.Empty, run.Error);
    }

    [Fact]
    public async Task DataDirectory_FindsEveryPartitionUnderLogs()
    {
        using var dir = new TempDirectory();
        TestSegments.Write(dir.Combine("logs", "orders-0"), 0, TestSegments.Batch(0, "a"));
        TestSegments.Write(dir.Combine("logs", "orders-1"), 0, TestSegments.Batch(0, "b", "c"));
        File.WriteAllText(dir.Combine("node-id"), "node-1");

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.StartsWith("checked 2 partition(s), 2 segment(s), 2 batch(es), 3 record(s)", Assert.Single(run.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlippedByte_FailsNamingFileAndPositionOfTheBatch()
    {
        // 1. Write three sound batches.
        using var dir = new TempDirectory();
        string partition = dir.Combine("orders-0");
        byte[] first = TestSegments.Batch(0, "a", "b");
        byte[] second = TestSegments.Batch(2, "c", "d");
        byte[] third = TestSegments.Batch(4, "e");
        string segment = TestSegments.Write(partition, 0, first, second, third);

        // 2. Damage the last byte of the second batch (inside its CRC-covered records).
        TestSegments.CorruptByte(segment, first.Length + second.Length - 1);

        // 3. Verify names the second batch's file and position, and still checks the third.
        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith($"error: CorruptMessage: {segment} at position {first.Length}: corrupt batch: crc expected 0x", line, StringComparison.Ordinal);
        Assert.EndsWith($"(batch of {second.Length} bytes)", line, StringComparison.Ordinal);
        Assert.Equal(2, run.OutLines.Length);
        Assert.StartsWith($"CORRUPT {segment} at position {first.Length}: corrupt batch: crc expected", run.OutLines[0], StringComparison.Ordinal);
        Assert.EndsWith("3 batch(es), 3 record(s), " + (first.Length + second.Length + third.Length) + " byte(s), 0 index file(s): 1 problem(s)", run.OutLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task TornTail_FailsAtTheFirstByteAfterTheLastWholeBatch()
    {
        using var dir = new TempDirectory();
        byte[] batch = TestSegments.Batch(0, "a");
        byte[] next = TestSegments.Batch(1, "b");
        string segment = TestSegments.Write(dir.Path, 0, batch, next[..20]);

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(
            [$"error: CorruptMessage: {segment} at position {batch.Length}: batch of {next.Length} bytes (batchLength {next.Length - 12}) runs past the end of the file: 20 bytes left"],
            run.ErrorLines);
    }

    [Fact]
    public async Task FewTrailingBytes_AreReportedAsATornWrite()
    {
        using var dir = new TempDirectory();
        byte[] batch = TestSegments.Batch(0, "a");
        string segment = TestSegments.Write(dir.Path, 0, batch, [0, 0, 0, 0, 0]);

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(
            [$"error: CorruptMessage: {segment} at position {batch.Length}: 5 trailing bytes, fewer than the 12-byte batch prefix (a torn write?)"],
            run.ErrorLines);
    }

    [Fact]
    public async Task WrongMagic_IsACorruptBatch()
    {
        using var dir = new TempDirectory();
        byte[] batch = TestSegments.Batch(0, "a");
        batch[RecordBatchLayout.MagicPosition] = 1;
        string segment = TestSegments.Write(dir.Path, 0, batch);

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal([$"error: CorruptMessage: {segment} at position 0: corrupt batch: magic expected 2, actual 1 (batch of {batch.Length} bytes)"], run.ErrorLines);
    }

    [Fact]
    public async Task OffsetGap_FailsWithExpectedAndActualBaseOffset()
    {
        using var dir = new TempDirectory();
        byte[] first = TestSegments.Batch(0, "a", "b", "c");
        string segment = TestSegments.Write(dir.Path, 0, first, TestSegments.Batch(4, "e"));

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(
            [$"error: CorruptMessage: {segment} at position {first.Length}: baseOffset expected 3 (the offset after the previous batch), actual 4"],
            run.ErrorLines);
    }

    [Fact]
    public async Task SegmentNotFollowingItsPredecessor_Fails()
    {
        using var dir = new TempDirectory();
        TestSegments.Write(dir.Path, 0, TestSegments.Batch(0, "a", "b"));
        string late = TestSegments.Write(dir.Path, 10, TestSegments.Batch(10, "k"));

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(
            [$"error: CorruptMessage: {late} at position 0: the segment's name says it starts at offset 10, but the previous segment ends before offset 2"],
            run.ErrorLines);
    }

    [Fact]
    public async Task FirstBatchNotAtTheSegmentsBaseOffset_Fails()
    {
        using var dir = new TempDirectory();
        string segment = TestSegments.Write(dir.Path, 100, TestSegments.Batch(0, "a"));

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal([$"error: CorruptMessage: {segment} at position 0: baseOffset expected 100 (the offset after the previous batch), actual 0"], run.ErrorLines);
    }

    [Fact]
    public async Task SeveralProblems_AreAllPrinted_AndTheErrorLineCountsTheRest()
    {
        using var dir = new TempDirectory();
        byte[] first = TestSegments.Batch(0, "a");
        byte[] second = TestSegments.Batch(1, "b");
        string segment = TestSegments.Write(dir.Path, 0, first, second);
        TestSegments.CorruptByte(segment, first.Length - 1);
        TestSegments.CorruptByte(segment, first.Length + second.Length - 1);

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(3, run.OutLines.Length);
        Assert.EndsWith("(and 1 more problem(s))", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyActiveSegment_IsSound()
    {
        using var dir = new TempDirectory();
        TestSegments.Write(dir.Path, 0, TestSegments.Batch(0, "a"));
        TestSegments.Write(dir.Path, 1);

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
    }

    [Fact]
    public async Task DirectoryWithoutSegments_FailsInsteadOfPassingVacuously()
    {
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("notes.txt"), "nothing here");

        CliRun run = await Olog.RunAsync("log", "verify", dir.Path);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.StartsWith($"error: InvalidRequest: no segment files (*.log) in '{dir.Path}'", Assert.Single(run.ErrorLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingPath_Fails()
    {
        using var dir = new TempDirectory();
        string missing = dir.Combine("nope");

        CliRun run = await Olog.RunAsync("log", "verify", missing);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal([$"error: InvalidRequest: '{missing}' does not exist"], run.ErrorLines);
    }
}
