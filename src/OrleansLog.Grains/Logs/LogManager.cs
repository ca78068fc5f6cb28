using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Partitions;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Logs;

/// <summary>
/// The node's partition logs: one <see cref="PartitionLog"/> per partition copy on this silo's disk,
/// under <c>{DataDirectory}/logs/{topic}-{partition}</c>, and the one <see cref="CommitScheduler"/> that
/// group-commits fsyncs across all of them. The files belong to the node, not to a grain activation, so
/// a later follower grain and the leader grain on this node reach the same log through here.
/// Thread-safety: opening, closing and deleting are safe from any thread; each log has one writer at a
/// time (its partition grain).
/// </summary>
public sealed partial class LogManager : IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionLog> _logs = new();
    private readonly ConcurrentDictionary<TopicPartition, TopicConfig> _configs = new();
    private readonly Lock _openLock = new();
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<LogManager> _logger;
    private bool _disposed;

    public LogManager(IOptions<OrleansLogOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LogManager>();
        LogsDirectory = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "logs"));
        Directory.CreateDirectory(LogsDirectory);
        CommitScheduler = new CommitScheduler(timeProvider);
    }

    /// <summary>Where partition directories live.</summary>
    public string LogsDirectory { get; }

    /// <summary>The node's group-commit scheduler, shared by every log here.</summary>
    public CommitScheduler CommitScheduler { get; }

    /// <summary>Partitions whose logs are open now.</summary>
    public ICollection<TopicPartition> OpenPartitions => _logs.Keys;

    /// <summary>
    /// Returns the open log of <paramref name="partition"/>, opening (and if needed recovering) it first
    /// with the topic's configuration. A log opened earlier under another configuration (by the follower
    /// this node was, or before the topic was altered) takes <paramref name="config"/> on: a new leader must
    /// not run the retention and flush policy of the day its log was opened.
    /// </summary>
    public PartitionLog GetOrOpen(TopicPartition partition, TopicConfig config)
    {
        if (_logs.TryGetValue(partition, out PartitionLog? log))
        {
            if (!_configs.TryGetValue(partition, out TopicConfig? applied) || applied != config)
            {
                Reconfigure(partition, config);
            }

            return log;
        }

        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_logs.TryGetValue(partition, out log))
            {
                return log;
            }

            string directory = Path.Combine(LogsDirectory, partition.ToDirectoryName());
            log = PartitionLog.Open(
                directory,
                config.ToLogOptions(),
                CommitScheduler,
                _loggerFactory.CreateLogger<PartitionLog>(),
                _timeProvider);
            RecoveryReport report = log.LastRecovery;
            LogOpened(_logger, partition.ToString(), log.LogStartOffset, log.LogEndOffset, report.ToString());
            _configs[partition] = config;
            _logs[partition] = log;
            return log;
        }
    }

    /// <summary>Applies <paramref name="config"/> to the partition's open log, if it is open.</summary>
    public void Reconfigure(TopicPartition partition, TopicConfig config)
    {
        lock (_openLock)
        {
            if (_logs.TryGetValue(partition, out PartitionLog? log) && (!_configs.TryGetValue(partition, out TopicConfig? applied) || applied != config))
            {
                log.Reconfigure(config.ToLogOptions());
                _configs[partition] = config;
                LogReconfigured(_logger, partition.ToString());
            }
        }
    }

    /// <summary>Flushes and closes a partition's log, writing its clean-shutdown marker.</summary>
    public void Close(TopicPartition partition)
    {
        lock (_openLock)
        {
            _configs.TryRemove(partition, out _);
            if (_logs.TryRemove(partition, out PartitionLog? log))
            {
                CloseQuietly(partition, log);
            }
        }
    }

    /// <summary>Closes a partition's log if open and removes its directory with all its data.</summary>
    public void Delete(TopicPartition partition)
    {
        lock (_openLock)
        {
            _configs.TryRemove(partition, out _);
            if (_logs.TryRemove(partition, out PartitionLog? log))
            {
                log.Delete();
            }
            else
            {
                string directory = Path.Combine(LogsDirectory, partition.ToDirectoryName());
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            LogDeleted(_logger, partition.ToString());
        }
    }

    /// <summary>Partitions with a directory on this node's disk, whether open or not.</summary>
    public IReadOnlyList<TopicPartition> PartitionsOnDisk()
    {
        var result = new List<TopicPartition>();
        foreach (string directory in Directory.EnumerateDirectories(LogsDirectory))
        {
            string name = Path.GetFileName(directory);
            int dash = name.LastIndexOf('-');
            if (dash > 0 && int.TryParse(name.AsSpan(dash + 1), out int partition) && partition >= 0
                && TopicName.Validate(name[..dash]) is null)
            {
                result.Add(new TopicPartition(name[..dash], partition));
            }
        }

        return result;
    }

    /// <summary>Bytes used by all partition directories on this node.</summary>
    public long DiskUsedBytes()
    {
        long total = 0;
        foreach (string file in Directory.EnumerateFiles(LogsDirectory, "*", SearchOption.AllDirectories))
        {
            try
            {
                total += new FileInfo(file).Length;
            }
            catch (IOException)
            {
                // A segment deleted by retention while we walk: it no longer counts.
            }
        }

        return total;
    }

    /// <summary>Closes every open log cleanly (flush, clean-shutdown marker) and stops the commit scheduler.</summary>
    public void Dispose()
    {
        lock (_openLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (partition, log) in _logs)
            {
                CloseQuietly(partition, log);
            }

            _logs.Clear();
            _configs.Clear();
        }

        CommitScheduler.Dispose();
    }

    private void CloseQuietly(TopicPartition partition, PartitionLog log)
    {
        try
        {
            log.Close();
            LogClosed(_logger, partition.ToString());
        }
        catch (Exception ex) when (ex is IOException or KafkaStorageException or ObjectDisposedException)
        {
            // The next open runs recovery; a failed close loses nothing acknowledged.
            LogCloseFailed(_logger, ex, partition.ToString());
        }
    }
}
