using System.Buffers;
using Microsoft.Extensions.Time.Testing;
using OrleansLog.Records;

namespace OrleansLog.Storage.Tests.TestSupport;

/// <summary>
/// What most log tests need: a fresh temp directory, their own commit scheduler and (optionally) fake
/// clock and file system, small segments so a few batches span several, and the list of batches the log
/// acknowledged (stored bytes, offsets stamped) to compare reads against.
/// </summary>
internal sealed class LogHarness : IDisposable
{
    public LogHarness(FakeTimeProvider? time = null)
    {
        Time = time;
        Scheduler = new CommitScheduler(time);
    }

    public TempDirectory Temp { get; } = new();

    public FakeTimeProvider? Time { get; }

    public CommitScheduler Scheduler { get; }

    public ListLogger Logger { get; } = new();

    public ILogFileSystem FileSystem { get; set; } = PhysicalLogFileSystem.Instance;

    public string Directory => Temp.Partition();

    /// <summary>Small segments (1 KiB) and a dense index (128 bytes) so tests cross segment and index boundaries.</summary>
    public PartitionLogOptions Options { get; } = new() { SegmentBytes = 1024, IndexIntervalBytes = 128 };

    /// <summary>Stored bytes of every acknowledged batch, in offset order.</summary>
    public List<byte[]> Acknowledged { get; } = [];

    public PartitionLog Open() => PartitionLog.Open(Directory, Options, Scheduler, Logger, Time, FileSystem);

    /// <summary>Appends a fresh test batch as leader and records its stored bytes.</summary>
    public async Task<LogAppendInfo> AppendAsync(PartitionLog log, int records = 1, int payloadBytes = 100, long? timestamp = null, int epoch = 0)
    {
        long now = (Time ?? TimeProvider.System).GetUtcNow().ToUnixTimeMilliseconds();
        byte[] batch = TestBatches.Create(records, payloadBytes, timestamp ?? now, seed: Acknowledged.Count);
        LogAppendInfo info = await log.AppendAsync(batch, epoch, TestContext.Current.CancellationToken);
        Acknowledged.Add(batch);
        return info;
    }

    /// <summary>Reads everything from <paramref name="fromOffset"/> to the log end in one call.</summary>
    public static List<(RecordBatchHeader Header, byte[] Bytes)> ReadAll(PartitionLog log, long fromOffset)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LogReadResult result = log.Read(fromOffset, int.MaxValue, long.MaxValue, buffer);
        Assert.Equal(ErrorCode.None, result.ErrorCode);
        Assert.Equal(result.BytesWritten, buffer.WrittenCount);
        return TestBatches.Split(buffer.WrittenSpan);
    }

    /// <summary>
    /// Asserts the log holds exactly <paramref name="expected"/> from its start offset: the log end offset
    /// matches, one big read returns them byte for byte, and a read at every offset returns the batch that
    /// holds it.
    /// </summary>
    public static void AssertHolds(PartitionLog log, IReadOnlyList<byte[]> expected)
    {
        long expectedEnd = expected.Count == 0 ? log.LogStartOffset : RecordBatchHeader.Read(expected[^1]).NextOffset;
        Assert.Equal(expectedEnd, log.LogEndOffset);
        List<(RecordBatchHeader Header, byte[] Bytes)> all = ReadAll(log, log.LogStartOffset);
        Assert.Equal(expected.Count, all.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Assert.True(expected[i].AsSpan().SequenceEqual(all[i].Bytes), $"batch {i} (offset {all[i].Header.BaseOffset}) differs from what was appended");
        }

        foreach (byte[] batch in expected)
        {
            RecordBatchHeader header = RecordBatchHeader.Read(batch);
            for (long offset = header.BaseOffset; offset <= header.LastOffset; offset++)
            {
                var buffer = new ArrayBufferWriter<byte>();
                LogReadResult result = log.Read(offset, 1, long.MaxValue, buffer);
                Assert.Equal(ErrorCode.None, result.ErrorCode);
                Assert.Equal(header.BaseOffset, result.FirstBatchBaseOffset);
                Assert.True(batch.AsSpan().SequenceEqual(buffer.WrittenSpan), $"read at offset {offset} returned other bytes than batch {header.BaseOffset}");
            }
        }

        var atEnd = new ArrayBufferWriter<byte>();
        LogReadResult end = log.Read(log.LogEndOffset, 1 << 20, long.MaxValue, atEnd);
        Assert.Equal(ErrorCode.None, end.ErrorCode);
        Assert.Equal(0, end.BytesWritten);
    }

    public void Dispose()
    {
        Scheduler.Dispose();
        Temp.Dispose();
    }
}
