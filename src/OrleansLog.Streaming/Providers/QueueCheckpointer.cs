using OrleansLog.Groups;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Commits a queue's progress as the committed offset of the provider's consumer group for its partition,
/// at most every <see cref="OrleansLogStreamOptions.CheckpointInterval"/> and only when it moved — so
/// <c>olog groups describe</c> shows each queue's position and lag, and the silo that pulls the queue next
/// resumes there. A commit runs in the background; one at a time.
/// </summary>
internal sealed class QueueCheckpointer(PartitionQueue queue)
{
    private Task? _committing;
    private long _lastCheckTicks;

    /// <summary>
    /// Once per interval, and not while a commit runs: computes the queue's checkpoint floor (a walk over its
    /// cursors, so not on every read) and starts a commit if it moved.
    /// </summary>
    public void MaybeCommit()
    {
        long now = queue.Time.GetTimestamp();
        if (_committing is not null || queue.Time.GetElapsedTime(_lastCheckTicks, now) < queue.Options.CheckpointInterval)
        {
            return;
        }

        _lastCheckTicks = now;
        long offset = queue.Cache.CheckpointFloor();
        if (offset > queue.CommittedOffset)
        {
            _committing = CommitInBackgroundAsync(offset);
        }
    }

    /// <summary>Commits <paramref name="offset"/> now (start-up position, shutdown); waits for a commit already running.</summary>
    public async Task CommitAsync(long offset, CancellationToken cancellationToken)
    {
        if (_committing is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }

        if (offset > queue.CommittedOffset || queue.CommittedOffset < 0)
        {
            await CommitCoreAsync(offset, cancellationToken);
        }
    }

    private async Task CommitInBackgroundAsync(long offset)
    {
        try
        {
            using CancellationTokenSource timeout = queue.CallTimeout();
            await CommitCoreAsync(offset, timeout.Token);
        }
        catch (OperationCanceledException) when (queue.ShutdownToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            StreamsLog.CheckpointFailed(queue.Logger, queue.TopicPartition, offset, ex);
        }
        finally
        {
            _committing = null;
        }
    }

    private async Task CommitCoreAsync(long offset, CancellationToken cancellationToken)
    {
        var request = new OffsetCommitRequest(
            MemberId: string.Empty,
            GroupInstanceId: null,
            GenerationId: -1,
            [new OffsetCommitEntry(queue.TopicPartition, offset, $"orleans-streams:{queue.ProviderName}")]);
        OffsetCommitResult result = await queue.Coordinator.CommitOffsetsAsync(request, cancellationToken);
        ErrorCode error = result.Error != ErrorCode.None ? result.Error : result.Partitions.FirstOrDefault(p => p.Error != ErrorCode.None)?.Error ?? ErrorCode.None;
        if (error != ErrorCode.None)
        {
            throw new OrleansLog.Client.OrleansLogException(
                error,
                $"Checkpoint of {queue.TopicPartition} at offset {offset} for group '{queue.Options.ConsumerGroupFor(queue.ProviderName)}' refused: " +
                (result.Message ?? result.Partitions.FirstOrDefault(p => p.Error != ErrorCode.None)?.Message ?? error.ToString()));
        }

        queue.CommittedOffset = Math.Max(queue.CommittedOffset, offset);
    }
}
