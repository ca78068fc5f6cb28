using Microsoft.Extensions.Logging;
using Orleans.Storage;
using OrleansLog.Grains.Partitions;

namespace OrleansLog.Grains.Replication;

/// <summary>
/// One partition's persisted replication record (grain storage, PostgreSQL in cluster mode), written only
/// with its ETag: of two writers that read the same record, the second fails and reads back what the first
/// wrote. It knows nothing of leading; <see cref="LeaderTerm"/> and the partition grain's election decide
/// what to write and what an outcome means.
/// </summary>
internal sealed partial class ReplicationRecordStore(IPersistentState<PartitionReplicationState> state, string partition, ILogger logger)
{
    /// <summary>The record as last read or written.</summary>
    public PartitionReplicationState Current => state.State;

    public Task ReadAsync(CancellationToken cancellationToken) => state.ReadStateAsync(cancellationToken);

    public async Task ClearAsync(CancellationToken cancellationToken)
    {
        if (state.State.IsInitialized)
        {
            await state.ClearStateAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Writes <paramref name="next"/> with the record's ETag. On <see cref="RecordWrite.Conflict"/>
    /// <see cref="Current"/> is what the other writer wrote; on <see cref="RecordWrite.Unknown"/> (the store
    /// failed, the write may have landed) and <see cref="RecordWrite.ConflictUnread"/> it is the record as
    /// it was before, so a retry conflicts and reads back what is there.
    /// </summary>
    public async Task<RecordWrite> TryWriteAsync(PartitionReplicationState next, CancellationToken cancellationToken)
    {
        PartitionReplicationState previous = state.State;
        state.State = next;
        try
        {
            await state.WriteStateAsync(cancellationToken);
            return RecordWrite.Written;
        }
        catch (InconsistentStateException ex)
        {
            LogRecordConflict(logger, ex, partition, next.ToString());
            try
            {
                await state.ReadStateAsync(CancellationToken.None);
                return RecordWrite.Conflict;
            }
            catch (Exception readFailure) when (readFailure is not OperationCanceledException)
            {
                LogRecordWriteFailed(logger, readFailure, partition, next.ToString());
                state.State = previous;
                return RecordWrite.ConflictUnread;
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogRecordWriteFailed(logger, ex, partition, next.ToString());
            state.State = previous;
            return RecordWrite.Unknown;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Partition {Partition}: the replication record changed under this activation; wanted {Record}")]
    private static partial void LogRecordConflict(ILogger logger, Exception exception, string partition, string record);

    [LoggerMessage(Level = LogLevel.Error, Message = "Partition {Partition}: writing or reading back the replication record failed; wanted {Record}")]
    private static partial void LogRecordWriteFailed(ILogger logger, Exception exception, string partition, string record);
}
