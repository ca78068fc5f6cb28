using System.Buffers.Binary;
using System.Text;
using OrleansLog.Cli.Tests.Support;
using OrleansLog.Records;
using OrleansLog.Storage;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>olog log verify</c>'s check of index files: the .index and .timeindex files the storage
/// engine writes pass; an offset-index entry that points into the middle of a batch, names another offset,
/// or a time-index entry whose timestamp is not its batch's, each fail naming the index file and the entry.
/// </summary>
public sealed class LogVerifyIndexTests
{
    [Fact]
    public async Task IndexesWrittenByTheBroker_Pass()
    {
        using var dir = new TempDirectory();
        string partition = WriteLogWithIndexes(dir);
        int indexFiles = Directory.GetFiles(partition, "*.index").Length + Directory.GetFiles(partition, "*.timeindex").Length;

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.True(run.ExitCode == ExitCodes.Success, run.ToString());
        Assert.True(indexFiles >= 4, $"expected at least two segments with both indexes, found {indexFiles} index files");
        Assert.EndsWith($"{indexFiles} index file(s): OK", Assert.Single(run.OutLines), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnOffsetIndexEntryPointingIntoABatch_FailsNamingTheEntry()
    {
        using var dir = new TempDirectory();
        string partition = WriteLogWithIndexes(dir);
        string index = Directory.GetFiles(partition, "*.index").Order().First();
        byte[] entries = File.ReadAllBytes(index);
        Assert.True(entries.Length >= 16, "the first segment's index should hold at least two entries");
        int position = BinaryPrimitives.ReadInt32BigEndian(entries.AsSpan(12));
        BinaryPrimitives.WriteInt32BigEndian(entries.AsSpan(12), position + 1);
        File.WriteAllBytes(index, entries);

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($"CORRUPT {index} at position 8: entry 1 points at position {position + 1}, where no valid batch of the log starts", run.OutLines);
    }

    [Fact]
    public async Task AnOffsetIndexEntryNamingAnotherOffset_FailsWithExpectedAndActual()
    {
        using var dir = new TempDirectory();
        string partition = WriteLogWithIndexes(dir);
        string index = Directory.GetFiles(partition, "*.index").Order().First();
        byte[] entries = File.ReadAllBytes(index);
        int relative = BinaryPrimitives.ReadInt32BigEndian(entries);
        int position = BinaryPrimitives.ReadInt32BigEndian(entries.AsSpan(4));
        BinaryPrimitives.WriteInt32BigEndian(entries, relative - 1);
        File.WriteAllBytes(index, entries);

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains($"CORRUPT {index} at position 0: entry 0 at position {position} names offset {relative - 1}, but the batch there ends at offset {relative}", run.OutLines);
    }

    [Fact]
    public async Task ATimeIndexEntryWithAnotherTimestamp_FailsNamingTheBatchTimestamp()
    {
        using var dir = new TempDirectory();
        string partition = WriteLogWithIndexes(dir);
        string index = Directory.GetFiles(partition, "*.timeindex").Order().First();
        byte[] entries = File.ReadAllBytes(index);
        long timestamp = BinaryPrimitives.ReadInt64BigEndian(entries);
        int relative = BinaryPrimitives.ReadInt32BigEndian(entries.AsSpan(8));
        BinaryPrimitives.WriteInt64BigEndian(entries, timestamp - 5);
        File.WriteAllBytes(index, entries);

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains(
            $"CORRUPT {index} at position 0: entry 0 says timestamp {timestamp - 5} at offset {relative}, but the batch ending there has maxTimestamp {timestamp}",
            run.OutLines);
    }

    [Fact]
    public async Task AnIndexWhoseSizeIsNotWholeEntries_Fails()
    {
        using var dir = new TempDirectory();
        string partition = WriteLogWithIndexes(dir);
        string index = Directory.GetFiles(partition, "*.index").Order().First();
        using (FileStream file = File.Open(index, FileMode.Append))
        {
            file.WriteByte(7);
        }

        CliRun run = await Olog.RunAsync("log", "verify", partition);

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Contains(run.OutLines, l => l.StartsWith($"CORRUPT {index} at position 0: size expected a multiple of 8 bytes, actual ", StringComparison.Ordinal));
    }

    /// <summary>A stopped partition written by the storage engine: several segments, an index entry every batch.</summary>
    private static string WriteLogWithIndexes(TempDirectory dir)
    {
        string partition = dir.Combine("orders-0");
        using var scheduler = new CommitScheduler();
        PartitionLog log = PartitionLog.Open(partition, new PartitionLogOptions { SegmentBytes = 2048, IndexIntervalBytes = 1 }, scheduler);
        try
        {
            for (int i = 0; i < 40; i++)
            {
                // Time moves on by 10 ms a batch, except one batch stamped before its predecessor: the time
                // index leaves it out.
                long timestamp = 1_700_000_000_000 + (i == 20 ? 0 : i * 10);
                using var builder = new RecordBatchBuilder(CompressionType.None, int.MaxValue);
                Assert.True(builder.TryAppend(timestamp, "k"u8.ToArray(), Encoding.UTF8.GetBytes($"value-{i}")));
                Assert.True(builder.TryAppend(timestamp, "k"u8.ToArray(), Encoding.UTF8.GetBytes($"second-{i}")));
                Assert.True(log.AppendAsync(builder.SealToArray(), 0, TestContext.Current.CancellationToken).AsTask().Wait(TimeSpan.FromSeconds(10)));
            }
        }
        finally
        {
            log.Close();
        }

        return partition;
    }
}
