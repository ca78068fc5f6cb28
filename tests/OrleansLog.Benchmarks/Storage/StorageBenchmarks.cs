using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansLog.Storage;

namespace OrleansLog.Benchmarks.Storage;

/// <summary>
/// The storage engine measured against plain FileStream baselines on the same disk, in the same run:
/// append (flush None), read back from the page cache, append with group-committed fsync across 16
/// logs, and the recovery scan after an unclean stop.
/// </summary>
internal static class StorageBenchmarks
{
    private const int BatchBytes = 64 * 1024;
    private const int ReadBytes = 1024 * 1024;

    public static async Task RunAllAsync(BenchSettings settings)
    {
        Directory.CreateDirectory(settings.Directory);
        try
        {
            long totalBytes = (long)(settings.GiB * 1024 * 1024 * 1024) / BatchBytes * BatchBytes;
            string logDirectory = Path.Combine(settings.Directory, "bench-0");
            string baselineFile = Path.Combine(settings.Directory, "baseline.bin");

            var (appendTime, baselineWriteTime) = Append(logDirectory, baselineFile, totalBytes);
            JsonLine.Write(new()
            {
                ["bench"] = "storage-append",
                ["batch_bytes"] = BatchBytes,
                ["total_bytes"] = totalBytes,
                ["mb_per_s"] = JsonLine.MbPerSecond(totalBytes, appendTime),
                ["baseline_mb_per_s"] = JsonLine.MbPerSecond(totalBytes, baselineWriteTime),
            });

            var (readTime, readBytes, baselineReadTime) = Read(logDirectory, baselineFile, totalBytes);
            JsonLine.Write(new()
            {
                ["bench"] = "storage-read",
                ["request_bytes"] = ReadBytes,
                ["total_bytes"] = readBytes,
                ["mb_per_s"] = JsonLine.MbPerSecond(readBytes, readTime),
                ["baseline_mb_per_s"] = JsonLine.MbPerSecond(totalBytes, baselineReadTime),
            });

            var (recoverTime, scanned) = Recover(logDirectory);
            JsonLine.Write(new()
            {
                ["bench"] = "storage-recover",
                ["gb"] = Math.Round(scanned / 1e9, 3),
                ["seconds"] = Math.Round(recoverTime.TotalSeconds, 3),
                ["gb_per_s"] = Math.Round(scanned / 1e9 / recoverTime.TotalSeconds, 2),
            });

            File.Delete(baselineFile);
            Directory.Delete(logDirectory, recursive: true);

            var (fsyncBytes, fsyncTime, fsyncs, appends) = await AppendWithFsyncAsync(settings.Directory, 16, TimeSpan.FromSeconds(settings.FsyncSeconds));
            JsonLine.Write(new()
            {
                ["bench"] = "storage-append-fsync",
                ["partitions"] = 16,
                ["batch_bytes"] = BatchBytes,
                ["mb_per_s"] = JsonLine.MbPerSecond(fsyncBytes, fsyncTime),
                ["appends"] = appends,
                ["appends_per_fsync"] = fsyncs == 0 ? 0 : Math.Round(appends / (double)fsyncs, 1),
            });
        }
        finally
        {
            Directory.Delete(settings.Directory, recursive: true);
        }
    }

    private static (TimeSpan Append, TimeSpan Baseline) Append(string logDirectory, string baselineFile, long totalBytes)
    {
        byte[] batch = BenchBatch.Create(BatchBytes, records: 64);
        long batches = totalBytes / BatchBytes;

        SyncDisk();
        var clock = Stopwatch.StartNew();
        using (var stream = new FileStream(baselineFile, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1))
        {
            for (long i = 0; i < batches; i++)
            {
                stream.Write(batch);
            }
        }

        TimeSpan baseline = clock.Elapsed;
        SyncDisk();

        var options = new PartitionLogOptions { FlushPolicy = FlushPolicy.None };
        using var scheduler = new CommitScheduler(TimeProvider.System);
        PartitionLog log = PartitionLog.Open(logDirectory, options, scheduler, NullLogger<PartitionLog>.Instance, TimeProvider.System);
        clock.Restart();
        for (long i = 0; i < batches; i++)
        {
            ValueTask<LogAppendInfo> append = log.AppendAsync(batch, 0, CancellationToken.None);
            if (!append.IsCompletedSuccessfully)
            {
                append.AsTask().GetAwaiter().GetResult();
            }
        }

        TimeSpan elapsed = clock.Elapsed;
        log.Close();
        SyncDisk();
        return (elapsed, baseline);
    }

    private static (TimeSpan Read, long Bytes, TimeSpan Baseline) Read(string logDirectory, string baselineFile, long totalBytes)
    {
        var buffer = new CountingBufferWriter(ReadBytes + BatchBytes);
        using var scheduler = new CommitScheduler(TimeProvider.System);
        PartitionLog log = PartitionLog.Open(logDirectory, new PartitionLogOptions(), scheduler, NullLogger<PartitionLog>.Instance, TimeProvider.System);
        long end = log.LogEndOffset;

        // Warm both files into the page cache first, so the comparison is cache to cache.
        ReadBaseline(baselineFile);
        long bytes = ReadLog(log, buffer, end);

        var clock = Stopwatch.StartNew();
        bytes = ReadLog(log, buffer, end);
        TimeSpan elapsed = clock.Elapsed;
        clock.Restart();
        ReadBaseline(baselineFile);
        TimeSpan baseline = clock.Elapsed;
        log.Close();
        if (bytes != totalBytes)
        {
            throw new InvalidOperationException($"read back {bytes} bytes through the log, expected {totalBytes}");
        }

        return (elapsed, bytes, baseline);
    }

    private static long ReadLog(PartitionLog log, CountingBufferWriter buffer, long end)
    {
        long offset = 0;
        long bytes = 0;
        while (offset < end)
        {
            buffer.Reset();
            LogReadResult result = log.Read(offset, ReadBytes, end, buffer);
            if (result.ErrorCode != ErrorCode.None || result.BytesWritten == 0)
            {
                throw new InvalidOperationException($"read at {offset} failed: {result.ErrorCode} {result.ErrorMessage}");
            }

            bytes += result.BytesWritten;
            offset = result.NextOffset;
        }

        return bytes;
    }

    private static void ReadBaseline(string file)
    {
        byte[] buffer = new byte[ReadBytes];
        using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1);
        while (stream.Read(buffer) > 0)
        {
        }
    }

    private static (TimeSpan Elapsed, long Scanned) Recover(string logDirectory)
    {
        // Simulate an unclean stop with nothing checkpointed: no clean-shutdown marker and no recovery
        // point, so the whole log is rescanned and every batch revalidated.
        foreach (string file in Directory.EnumerateFiles(logDirectory))
        {
            string name = Path.GetFileName(file);
            if (!name.EndsWith(".log", StringComparison.Ordinal) && !name.EndsWith(".index", StringComparison.Ordinal)
                && !name.EndsWith(".timeindex", StringComparison.Ordinal) && name != "leader-epoch-checkpoint"
                && name != "log-start-offset-checkpoint")
            {
                File.Delete(file);
            }
        }

        using var scheduler = new CommitScheduler(TimeProvider.System);
        var clock = Stopwatch.StartNew();
        PartitionLog log = PartitionLog.Open(logDirectory, new PartitionLogOptions(), scheduler, NullLogger<PartitionLog>.Instance, TimeProvider.System);
        TimeSpan elapsed = clock.Elapsed;
        RecoveryReport report = log.LastRecovery;
        log.Close();
        if (report.WasCleanShutdown || report.BytesTruncated != 0)
        {
            throw new InvalidOperationException($"recovery benchmark expected a full clean rescan, got {report}");
        }

        return (elapsed, report.BytesScanned);
    }

    private static async Task<(long Bytes, TimeSpan Elapsed, long Fsyncs, long Appends)> AppendWithFsyncAsync(
        string root, int partitions, TimeSpan duration)
    {
        var options = new PartitionLogOptions { FlushPolicy = FlushPolicy.Always };
        using var scheduler = new CommitScheduler(TimeProvider.System);
        var logs = new PartitionLog[partitions];
        for (int p = 0; p < partitions; p++)
        {
            logs[p] = PartitionLog.Open(Path.Combine(root, "fsync-" + p), options, scheduler, NullLogger<PartitionLog>.Instance, TimeProvider.System);
        }

        long fsyncsBefore = scheduler.FsyncCount;
        long bytes = 0;
        long appends = 0;
        using var stop = new CancellationTokenSource(duration);
        var clock = Stopwatch.StartNew();
        var writers = new Task[partitions];
        for (int p = 0; p < partitions; p++)
        {
            PartitionLog log = logs[p];
            writers[p] = Task.Run(async () =>
            {
                byte[] batch = BenchBatch.Create(BatchBytes, records: 64);
                while (!stop.IsCancellationRequested)
                {
                    await log.AppendAsync(batch, 0, CancellationToken.None);
                    Interlocked.Add(ref bytes, BatchBytes);
                    Interlocked.Increment(ref appends);
                }
            });
        }

        await Task.WhenAll(writers);
        TimeSpan elapsed = clock.Elapsed;
        long rounds = scheduler.FsyncCount - fsyncsBefore;
        foreach (PartitionLog log in logs)
        {
            log.Close();
        }

        return (bytes, elapsed, rounds, appends);
    }

    private static void SyncDisk()
    {
        using var sync = Process.Start("sync");
        sync?.WaitForExit();
    }
}
