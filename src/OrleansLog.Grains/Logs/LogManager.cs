using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Partitions;
using OrleansLog.Storage;

namespace OrleansLog.Grains.Logs;

/// <summary>
/// The node's partitions: one <see cref="Partition"/> (its <see cref="PartitionLog"/> and the rules over
/// it) per partition copy on this silo's disk, under <c>{DataDirectory}/logs/{topic}-{partition}</c>, and
/// the one <see cref="CommitScheduler"/> that group-commits fsyncs across all of them (Kafka's
/// <c>LogManager</c> + <c>ReplicaManager.allPartitions</c>). The copies belong to the node, not to a grain
/// activation: the leader grain and the follower grain on this node reach the same <see cref="Partition"/>
/// through here, and a follower's producer state is there when it takes office.
/// <para><b>Opening</b> (recovery, producer-state load) runs on the thread pool, never on the caller's
/// scheduler, at most <see cref="MaxConcurrentOpens"/> at a time: a silo with thousands of partitions stays
/// responsive while they open. Concurrent callers for one partition share one open.</para>
/// Thread-safety: opening, closing and deleting are safe from any thread; each partition has one driver at
/// a time (its leader or its follower grain).
/// </summary>
internal sealed partial class LogManager : IStorageHealth, IDisposable
{
    private readonly ConcurrentDictionary<TopicPartition, Partition> _partitions = new();
    private readonly ConcurrentDictionary<TopicPartition, Task<Partition>> _opening = new();
    private readonly SemaphoreSlim _openSlots;
    private readonly Lock _openLock = new();
    private readonly PartitionSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILoggerFactory _loggerFactory;
    private readonly ILogger<LogManager> _logger;
    private bool _disposed;

    private readonly ConcurrentDictionary<TopicPartition, FailedLog> _failedLogs = new();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicPartition, Guid> _topicIds = new();

    public LogManager(IOptions<OrleansLogOptions> options, TimeProvider timeProvider, ILoggerFactory loggerFactory)
    {
        _timeProvider = timeProvider;
        _loggerFactory = loggerFactory;
        _logger = loggerFactory.CreateLogger<LogManager>();
        _settings = PartitionSettings.From(options.Value);
        LogsDirectory = Path.GetFullPath(Path.Combine(options.Value.DataDirectory, "logs"));
        Directory.CreateDirectory(LogsDirectory);
        CommitScheduler = new CommitScheduler(timeProvider);
        // Opening is mostly waiting for fsyncs (a new log's directory and files, recovery's checkpoints),
        // so more opens than cores run side by side; still bounded, so thousands do not start at once.
        MaxConcurrentOpens = Math.Max(8, 4 * Environment.ProcessorCount);
        _openSlots = new SemaphoreSlim(MaxConcurrentOpens, MaxConcurrentOpens);
    }

    /// <summary>Where partition directories live.</summary>
    public string LogsDirectory { get; }

    /// <summary>The node's group-commit scheduler, shared by every log here.</summary>
    public CommitScheduler CommitScheduler { get; }

    /// <summary>Fired by every append and high-watermark move of a partition here: wakes the follower fetches waiting at this node.</summary>
    public Replication.DataSignal LeaderDataArrived { get; } = new();

    /// <summary>How many partitions open (recover, load producer state) at once.</summary>
    public int MaxConcurrentOpens { get; }

    /// <summary>Partitions open now.</summary>
    public ICollection<TopicPartition> OpenPartitions => _partitions.Keys;

    /// <summary>The open copy of <paramref name="partition"/>, if it is open.</summary>
    public bool TryGet(TopicPartition partition, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Partition? open) =>
        _partitions.TryGetValue(partition, out open);

    /// <summary>
    /// Returns the open copy of <paramref name="partition"/>, opening it first (recovery and producer-state
    /// load, off the caller's scheduler) with the topic's configuration. A copy opened earlier under another
    /// configuration (by the follower this node was, or before the topic was altered) takes
    /// <paramref name="config"/> on: a new leader must not run the retention and flush policy of the day
    /// its log was opened.
    /// </summary>
    /// <param name="topicId">
    /// The topic's id (<see cref="TopicMetadata.TopicId"/>): a directory or an open copy that belongs to another
    /// id is a stray of a deleted topic of the same name — it is deleted, never served, and the copy starts
    /// empty. <see cref="Guid.Empty"/> (a topic from before ids) checks nothing.
    /// </param>
    public async Task<Partition> GetOrOpenAsync(TopicPartition partition, TopicConfig config, Guid topicId, CancellationToken cancellationToken)
    {
        if (topicId != Guid.Empty && _partitions.ContainsKey(partition)
            && _topicIds.TryGetValue(partition, out Guid cachedId) && cachedId != Guid.Empty && cachedId != topicId)
        {
            LogStray(_logger, partition.ToString(), cachedId.ToString(), topicId.ToString());
            Delete(partition);
        }

        if (!_partitions.TryGetValue(partition, out Partition? open))
        {
            Task<Partition> opening = _opening.GetOrAdd(partition, p => OpenAsync(p, config, topicId));

            // Removed once complete, and only after GetOrAdd stored it: removing it from inside the opening
            // could run before the store (the open can finish before GetOrAdd returns), leaving a completed
            // task that would hand out this copy again after it was closed.
            _ = opening.ContinueWith(done => _opening.TryRemove(new KeyValuePair<TopicPartition, Task<Partition>>(partition, done)), TaskScheduler.Default);
            open = await opening.WaitAsync(cancellationToken);
        }

        open.Reconfigure(config);
        return open;
    }

    private async Task<Partition> OpenAsync(TopicPartition partition, TopicConfig config, Guid topicId)
    {
        await _openSlots.WaitAsync();
        try
        {
            return await Task.Run(() => Open(partition, config, topicId));
        }
        finally
        {
            _openSlots.Release();
        }
    }

    private Partition Open(TopicPartition partition, TopicConfig config, Guid topicId)
    {
        lock (_openLock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_partitions.TryGetValue(partition, out Partition? open))
            {
                return open;
            }
        }

        string directory = Path.Combine(LogsDirectory, partition.ToDirectoryName());
        Guid? onDisk = PartitionMetadataFile.Read(PhysicalLogFileSystem.Instance, directory);
        if (topicId != Guid.Empty && onDisk is { } strayId && strayId != topicId)
        {
            // Kafka's stray log (KIP-516): the data of a deleted topic of the same name, kept by a node that
            // was down when it was deleted. It must never be served as the new topic's.
            LogStray(_logger, partition.ToString(), strayId.ToString(), topicId.ToString());
            Directory.Delete(directory, recursive: true);
            onDisk = null;
        }

        PartitionLog log = PartitionLog.Open(
            directory,
            config.ToLogOptions(),
            CommitScheduler,
            _loggerFactory.CreateLogger<PartitionLog>(),
            _timeProvider);
        Partition created;
        try
        {
            if (topicId != Guid.Empty && onDisk != topicId)
            {
                PartitionMetadataFile.Write(PhysicalLogFileSystem.Instance, directory, topicId);
            }

            created = new Partition(partition, log, config, _settings, _timeProvider, _loggerFactory.CreateLogger<Partition>(), LeaderDataArrived.Signal);
        }
        catch
        {
            log.Close();
            throw;
        }

        lock (_openLock)
        {
            if (_disposed)
            {
                created.Close();
                throw new ObjectDisposedException(nameof(LogManager));
            }

            _partitions[partition] = created;
            _topicIds[partition] = topicId;
        }

        if (_failedLogs.TryGetValue(partition, out FailedLog? failure))
        {
            // Reopened (recovered from disk): reported until a write succeeds, the proof that the disk is usable.
            _failedLogs[partition] = failure with { ReopenedAtEndOffset = log.LogEndOffset };
        }

        LogOpened(_logger, partition.ToString(), log.LogStartOffset, log.LogEndOffset, log.LastRecovery.ToString(), created.ProducerStateLoad.SnapshotOffset, created.ProducerStateLoad.BatchesReplayed);
        return created;
    }

    /// <summary>
    /// Partitions whose log failed on this node (a write or fsync error), with why, when and what state the
    /// copy is in; each is reported until a write succeeds on its reopened log.
    /// </summary>
    public IReadOnlyDictionary<TopicPartition, string> FailedLogs
    {
        get
        {
            var failed = new Dictionary<TopicPartition, string>();
            foreach ((TopicPartition partition, FailedLog failure) in _failedLogs)
            {
                bool open = _partitions.TryGetValue(partition, out Partition? copy);
                if (open && failure.ReopenedAtEndOffset is { } end && !copy!.Log.IsFailed && copy.Log.LogEndOffset > end)
                {
                    // A write succeeded on the reopened log: the disk is usable again.
                    _failedLogs.TryRemove(KeyValuePair.Create(partition, failure));
                    continue;
                }

                string state = open && failure.ReopenedAtEndOffset is not null
                    ? "reopened, serving reads; no write has succeeded since"
                    : "closed; reopened by the next call to the partition on this node";
                failed[partition] = $"{failure.Reason} (failed at {failure.At:yyyy-MM-ddTHH:mm:ssZ}; {state})";
            }

            return failed;
        }
    }

    /// <summary>Why the copy of <paramref name="partition"/> failed here, while no write has succeeded on it since; else null.</summary>
    public string? FailureOf(TopicPartition partition) => _failedLogs.IsEmpty ? null : FailedLogs.GetValueOrDefault(partition);

    /// <summary>
    /// The copy of <paramref name="partition"/> failed (Kafka's offline log directory, for one log): it is
    /// closed and forgotten, so the next open recovers it from disk afresh — after the operator freed space or
    /// the disk came back — and until then it is reported (<see cref="FailedLogs"/>, <c>cluster describe</c>).
    /// Only the copy that failed is closed: one reopened meanwhile stays.
    /// </summary>
    public void ReportFailed(TopicPartition partition, Partition failed, string reason)
    {
        _failedLogs[partition] = new FailedLog(reason, _timeProvider.GetUtcNow(), null);
        lock (_openLock)
        {
            if (_partitions.TryGetValue(partition, out Partition? open) && ReferenceEquals(open, failed))
            {
                _partitions.TryRemove(partition, out _);
                CloseQuietly(partition, open);
            }
        }

        LogFailed(_logger, partition.ToString(), reason);
    }

    /// <summary>Applies <paramref name="config"/> to the partition's open copy, if it is open.</summary>
    public void Reconfigure(TopicPartition partition, TopicConfig config)
    {
        if (_partitions.TryGetValue(partition, out Partition? open))
        {
            open.Reconfigure(config);
            LogReconfigured(_logger, partition.ToString());
        }
    }

    /// <summary>Flushes and closes a partition's copy, writing its producer-state snapshot and clean-shutdown marker.</summary>
    public void Close(TopicPartition partition)
    {
        lock (_openLock)
        {
            if (_partitions.TryRemove(partition, out Partition? open))
            {
                CloseQuietly(partition, open);
            }
        }
    }

    /// <summary>
    /// The topic id the copy of <paramref name="partition"/> on this node belongs to: the open copy's, else the
    /// one its directory records; null when there is no directory or it records none.
    /// </summary>
    public Guid? TopicIdOf(TopicPartition partition)
    {
        lock (_openLock)
        {
            if (_partitions.ContainsKey(partition) && _topicIds.TryGetValue(partition, out Guid open))
            {
                return open == Guid.Empty ? null : open;
            }

            return PartitionMetadataFile.Read(PhysicalLogFileSystem.Instance, Path.Combine(LogsDirectory, partition.ToDirectoryName()));
        }
    }

    /// <summary>
    /// Deletes the copy of <paramref name="partition"/> as a stray of a deleted topic — only if it still is the
    /// copy seen when the topic was found missing: it belongs to <paramref name="strayId"/> (see
    /// <see cref="TopicIdOf"/>) and is not being opened. A topic re-created meanwhile opens its copy under its
    /// new id, and that copy stays. <paramref name="stopUsers"/> runs first, in the same critical section (no
    /// copy of the new topic can start in between). Returns whether it deleted.
    /// </summary>
    public bool DeleteStray(TopicPartition partition, Guid? strayId, Action stopUsers)
    {
        lock (_openLock)
        {
            if ((_opening.TryGetValue(partition, out Task<Partition>? opening) && !opening.IsCompleted) || TopicIdOf(partition) != strayId)
            {
                return false;
            }

            stopUsers();
            Delete(partition);
            return true;
        }
    }

    /// <summary>Closes a partition's copy if open and removes its directory with all its data.</summary>
    public void Delete(TopicPartition partition)
    {
        lock (_openLock)
        {
            if (_partitions.TryRemove(partition, out Partition? open))
            {
                open.Resign(ErrorCode.UnknownTopicOrPartition, $"{partition} was deleted");
                open.Log.Delete();
            }
            else
            {
                string directory = Path.Combine(LogsDirectory, partition.ToDirectoryName());
                if (Directory.Exists(directory))
                {
                    Directory.Delete(directory, recursive: true);
                }
            }

            _failedLogs.TryRemove(partition, out _);
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

    /// <summary>Closes every open copy cleanly (producer-state snapshot, flush, clean-shutdown marker) and stops the commit scheduler.</summary>
    public void Dispose()
    {
        lock (_openLock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var (partition, open) in _partitions)
            {
                CloseQuietly(partition, open);
            }

            _partitions.Clear();
        }

        CommitScheduler.Dispose();
    }

    private void CloseQuietly(TopicPartition partition, Partition open)
    {
        try
        {
            open.Close();
            LogClosed(_logger, partition.ToString());
        }
        catch (Exception ex) when (ex is IOException or KafkaStorageException or ObjectDisposedException)
        {
            // The next open runs recovery; a failed close loses nothing acknowledged.
            LogCloseFailed(_logger, ex, partition.ToString());
        }
    }

    /// <summary>A log that failed here: why, when, and the log end at which it was reopened (null while closed).</summary>
    private sealed record FailedLog(string Reason, DateTimeOffset At, long? ReopenedAtEndOffset);
}
