using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>Offset commits and fetches, lag, resets and deletion.</summary>
internal sealed partial class GroupCoordinatorGrain
{
    /// <summary>
    /// The hot path: partition counts come from the machine's cache (a topic grain is asked only when a
    /// topic is new to the group, its count is older than the refresh interval, or a partition is beyond
    /// it), the machine validates and applies the commit in this turn, and the answer waits for the
    /// group-committed write.
    /// </summary>
    public async Task<OffsetCommitResult> CommitOffsetsAsync(OffsetCommitRequest request, CancellationToken cancellationToken = default)
    {
        List<string>? refresh = null;
        foreach (OffsetCommitEntry entry in request.Offsets)
        {
            if (_machine.NeedsPartitionCount(entry.Partition.Topic, entry.Partition.Partition)
                && !(refresh ??= []).Contains(entry.Partition.Topic, StringComparer.Ordinal))
            {
                refresh.Add(entry.Partition.Topic);
            }
        }

        if (refresh is not null)
        {
            await RefreshPartitionCountsAsync(refresh, cancellationToken);
        }

        OffsetCommitResult result = _machine.Commit(request);
        return await PersistEffectsAsync()
            ? result
            : new OffsetCommitResult(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}': the coordinator could not store the offsets; retry", []);
    }

    /// <summary>Answers only with offsets that are durable: it waits for a write of commits still in flight.</summary>
    public async Task<IReadOnlyList<CommittedOffset>> FetchOffsetsAsync(IReadOnlyList<TopicPartition>? partitions, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<CommittedOffset> offsets = _machine.FetchOffsets(partitions);
        await WaitDurableAsync(_machine.Version);
        return offsets;
    }

    public async Task ForgetTopicAsync(string topic, CancellationToken cancellationToken = default)
    {
        if (_machine.ForgetTopic(topic) > 0)
        {
            await PersistEffectsAsync();
        }
    }

    public async Task<(ErrorCode Error, GroupDescription? Group)> DescribeAsync(CancellationToken cancellationToken = default)
    {
        if (!_machine.Exists)
        {
            return (ErrorCode.GroupIdNotFound, null);
        }

        IReadOnlyList<TopicPartition> partitions = _machine.PartitionsForLag();
        Dictionary<TopicPartition, PartitionWatermarks> watermarks = await ReadWatermarksAsync(partitions, cancellationToken);
        GroupDescription description = _machine.Describe(watermarks);
        await WaitDurableAsync(_machine.Version);
        return (ErrorCode.None, description);
    }

    public async Task<AdminResult> ResetOffsetsAsync(string topic, OffsetResetSpec spec, CancellationToken cancellationToken = default)
    {
        AdminResult allowed = _machine.CheckNoMembers("reset offsets");
        if (!allowed.IsSuccess)
        {
            return allowed;
        }

        if (!Enum.IsDefined(spec.Kind) || (spec.Kind == OffsetResetKind.ToTimestamp && spec.Value < 0))
        {
            return AdminResult.Failure(ErrorCode.InvalidRequest, $"group '{GroupId}': cannot reset offsets to {spec.Kind} {spec.Value}");
        }

        TopicMetadata metadata = await GrainFactory.GetGrain<ITopicGrain>(topic).GetMetadataAsync(cancellationToken);
        if (!metadata.Exists)
        {
            return AdminResult.Failure(ErrorCode.UnknownTopicOrPartition, $"group '{GroupId}': topic '{topic}' does not exist");
        }

        var calls = new Task<(TopicPartition, ListOffsetsResult)>[metadata.PartitionCount];
        for (int p = 0; p < calls.Length; p++)
        {
            calls[p] = ResetTargetAsync(new TopicPartition(topic, p), spec, cancellationToken);
        }

        var targets = new List<(TopicPartition, long)>(calls.Length);
        foreach ((TopicPartition partition, ListOffsetsResult target) in await Task.WhenAll(calls))
        {
            if (target.Error != ErrorCode.None)
            {
                return AdminResult.Failure(target.Error, $"group '{GroupId}': offsets of {partition} could not be listed: {target.Message}");
            }

            targets.Add((partition, target.Offset));
        }

        _machine.UpdatePartitionCounts(new Dictionary<string, int>(StringComparer.Ordinal) { [topic] = metadata.PartitionCount });
        AdminResult result = _machine.ResetOffsets(targets);
        if (!await PersistEffectsAsync())
        {
            return AdminResult.Failure(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}': the coordinator could not store the offsets; retry");
        }

        if (result.IsSuccess)
        {
            LogOffsetsReset(logger, GroupId, topic, spec.Kind, spec.Value, targets.Count);
        }

        return result;
    }

    public async Task<AdminResult> DeleteAsync(CancellationToken cancellationToken = default)
    {
        AdminResult result = _machine.Delete();
        if (!result.IsSuccess)
        {
            return result;
        }

        if (!await PersistEffectsAsync())
        {
            return AdminResult.Failure(ErrorCode.CoordinatorNotAvailable, $"group '{GroupId}': the coordinator could not clear the group's state; retry");
        }

        await UnregisterAsync();
        LogDeleted(logger, GroupId);
        return AdminResult.Ok;
    }

    /// <summary>
    /// Where a reset puts one partition (Kafka's kafka-consumer-groups): the log start offset, the high
    /// watermark, an offset clamped into [log start, high watermark], or the first offset at or after a
    /// timestamp (the high watermark when every record is older).
    /// </summary>
    private async Task<(TopicPartition, ListOffsetsResult)> ResetTargetAsync(TopicPartition partition, OffsetResetSpec spec, CancellationToken cancellationToken)
    {
        IPartitionGrain grain = GrainFactory.GetGrain<IPartitionGrain>(partition.ToGrainKey());
        switch (spec.Kind)
        {
            case OffsetResetKind.Earliest:
                return (partition, await grain.ListOffsetsAsync(OffsetSpec.Earliest, cancellationToken));
            case OffsetResetKind.Latest:
                return (partition, await grain.ListOffsetsAsync(OffsetSpec.Latest, cancellationToken));
            case OffsetResetKind.ToTimestamp:
                ListOffsetsResult found = await grain.ListOffsetsAsync(spec.Value, cancellationToken);
                return (partition, found.Error == ErrorCode.None && found.Offset < 0
                    ? await grain.ListOffsetsAsync(OffsetSpec.Latest, cancellationToken)
                    : found);
            default:
                ListOffsetsResult earliest = await grain.ListOffsetsAsync(OffsetSpec.Earliest, cancellationToken);
                ListOffsetsResult latest = await grain.ListOffsetsAsync(OffsetSpec.Latest, cancellationToken);
                return (partition, earliest.Error != ErrorCode.None ? earliest
                    : latest.Error != ErrorCode.None ? latest
                    : latest with { Offset = Math.Clamp(spec.Value, earliest.Offset, latest.Offset) });
        }
    }

    /// <summary>Log start offset and high watermark of each partition; partitions that cannot be listed are left out.</summary>
    private async Task<Dictionary<TopicPartition, PartitionWatermarks>> ReadWatermarksAsync(
        IReadOnlyList<TopicPartition> partitions,
        CancellationToken cancellationToken)
    {
        var calls = new Task<(ListOffsetsResult Earliest, ListOffsetsResult Latest)>[partitions.Count];
        for (int i = 0; i < calls.Length; i++)
        {
            calls[i] = ReadAsync(GrainFactory.GetGrain<IPartitionGrain>(partitions[i].ToGrainKey()), cancellationToken);
        }

        (ListOffsetsResult Earliest, ListOffsetsResult Latest)[] results = await Task.WhenAll(calls);
        var watermarks = new Dictionary<TopicPartition, PartitionWatermarks>(partitions.Count);
        for (int i = 0; i < results.Length; i++)
        {
            (ListOffsetsResult earliest, ListOffsetsResult latest) = results[i];
            if (earliest.Error == ErrorCode.None && latest.Error == ErrorCode.None)
            {
                watermarks[partitions[i]] = new PartitionWatermarks(earliest.Offset, latest.Offset);
            }
        }

        return watermarks;

        static async Task<(ListOffsetsResult, ListOffsetsResult)> ReadAsync(IPartitionGrain partition, CancellationToken cancellationToken)
        {
            Task<ListOffsetsResult> earliest = partition.ListOffsetsAsync(OffsetSpec.Earliest, cancellationToken);
            Task<ListOffsetsResult> latest = partition.ListOffsetsAsync(OffsetSpec.Latest, cancellationToken);
            return (await earliest, await latest);
        }
    }

    private async Task WaitDurableAsync(long version)
    {
        try
        {
            await _writer.WaitDurableAsync(version);
        }
        catch (Exception ex)
        {
            FailActivation(ex, "writing the group's state");
            throw new InvalidOperationException($"Group '{GroupId}': the coordinator could not store the group's state; retry.", ex);
        }
    }
}
