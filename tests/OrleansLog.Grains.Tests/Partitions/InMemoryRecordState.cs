using Orleans.Storage;
using OrleansLog.Grains.Replication;

namespace OrleansLog.Grains.Tests.Partitions;

/// <summary>
/// One grain's view of a replication record kept in a shared <see cref="InMemoryRecordStore"/>, with the
/// ETag rule grain storage enforces: a write based on an older version fails with
/// <see cref="InconsistentStateException"/>. Several views of one store are rival activations.
/// </summary>
internal sealed class InMemoryRecordState(InMemoryRecordStore store) : IPersistentState<PartitionReplicationState>
{
    public PartitionReplicationState State { get; set; } = new();

    public string? Etag { get; private set; }

    public bool RecordExists => Etag is not null;

    public Task ReadStateAsync() => ReadStateAsync(CancellationToken.None);

    public Task ReadStateAsync(CancellationToken cancellationToken)
    {
        if (store.FailReads)
        {
            throw new IOException("the record store is unreachable");
        }

        (State, Etag) = store.Read();
        return Task.CompletedTask;
    }

    public Task WriteStateAsync() => WriteStateAsync(CancellationToken.None);

    public Task WriteStateAsync(CancellationToken cancellationToken)
    {
        Etag = store.Write(State.Copy(), Etag);
        return Task.CompletedTask;
    }

    public Task ClearStateAsync() => ClearStateAsync(CancellationToken.None);

    public Task ClearStateAsync(CancellationToken cancellationToken)
    {
        store.Write(new PartitionReplicationState(), Etag);
        (State, Etag) = (new PartitionReplicationState(), null);
        return Task.CompletedTask;
    }
}

/// <summary>The stored record and its version, with failures to inject.</summary>
internal sealed class InMemoryRecordStore
{
    private readonly Lock _lock = new();
    private PartitionReplicationState _record = new();
    private int _version;

    /// <summary>The next write lands but its caller gets an error (the answer was lost).</summary>
    public bool LoseNextWriteAnswer { get; set; }

    public bool FailReads { get; set; }

    public PartitionReplicationState Record
    {
        get
        {
            lock (_lock)
            {
                return _record.Copy();
            }
        }
    }

    public (PartitionReplicationState Record, string? Etag) Read()
    {
        lock (_lock)
        {
            return (_record.Copy(), _version == 0 ? null : _version.ToString());
        }
    }

    public string Write(PartitionReplicationState record, string? etag)
    {
        lock (_lock)
        {
            string? current = _version == 0 ? null : _version.ToString();
            if (etag != current)
            {
                throw new InconsistentStateException($"ETag mismatch: stored {current ?? "none"}, written on {etag ?? "none"}");
            }

            _record = record;
            _version++;
            if (LoseNextWriteAnswer)
            {
                LoseNextWriteAnswer = false;
                throw new TimeoutException("the store did not answer");
            }

            return _version.ToString();
        }
    }
}
