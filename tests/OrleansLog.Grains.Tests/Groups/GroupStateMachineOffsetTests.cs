using OrleansLog.Grains.Groups;
using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects offset commits against Kafka's classic-group fencing (every rejected commit changes nothing),
/// per-partition errors, fetch, resets and deletion that only an empty group allows, lag, and the removal of
/// a deleted topic's offsets (whatever the group's state, as in Kafka).
/// </summary>
public sealed class GroupStateMachineOffsetTests
{
    [Fact]
    public void StandaloneCommit_WithoutMemberIdAndGeneration_IsAllowedWhileTheGroupHasNoMembers()
    {
        var group = new GroupHarness(topics: ("t", 2));

        OffsetCommitResult result = group.Commit(string.Empty, -1, (P(0), 10), (P(1), 20));

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal([ErrorCode.None, ErrorCode.None], result.Partitions.Select(p => p.Error));
        Assert.Equal((10, 20), (group.Committed(P(0)), group.Committed(P(1))));
        Assert.True(group.Machine.Exists);
    }

    [Fact]
    public void ADeletedTopicsOffsets_AreForgotten_EvenWithMembers_AndOtherTopicsKeepTheirs()
    {
        var group = new GroupHarness(null, ("t", 2), ("u", 1));
        group.Commit(string.Empty, -1, (P(0), 10), (P(1), 20), (new TopicPartition("u", 0), 5));
        group.FormGroup(Request(clientId: "a"));
        long version = group.Machine.Version;

        Assert.Equal(2, group.Machine.ForgetTopic("t"));

        Assert.Equal((-1L, -1L), (group.Committed(P(0)), group.Committed(P(1))));
        Assert.Equal(5, group.Committed(new TopicPartition("u", 0)));
        Assert.True(group.Machine.Version > version, "the change must be persisted");
        Assert.Equal(0, group.Machine.ForgetTopic("t"));
    }

    [Fact]
    public void StandaloneCommit_IsUnknownMemberId_OnceTheGroupHasMembers()
    {
        var group = new GroupHarness(topics: ("t", 2));
        group.Commit(string.Empty, -1, (P(0), 10));
        group.FormGroup(Request(clientId: "a"));
        long version = group.Machine.Version;

        OffsetCommitResult result = group.Commit(string.Empty, -1, (P(0), 3));

        Assert.Equal(ErrorCode.UnknownMemberId, result.Error);
        Assert.Empty(result.Partitions);
        Assert.Equal((10, version), (group.Committed(P(0)), group.Machine.Version));
    }

    [Fact]
    public void CommitFromAStaleGeneration_IsIllegalGeneration_AndChangesNothing()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        group.Commit(ids[0], 1, (P(0), 7));
        group.Leave(ids[1]);
        group.RejoinAll(ids[0]);
        group.Sync(ids[0], 2);

        OffsetCommitResult stale = group.Commit(ids[0], 1, (P(0), 3));

        Assert.Equal(ErrorCode.IllegalGeneration, stale.Error);
        Assert.Contains("generation 2", stale.Message, StringComparison.Ordinal);
        Assert.Equal(7, group.Committed(P(0)));
    }

    [Fact]
    public void CommitFromAnUnknownMember_IsUnknownMemberId_AndChangesNothing()
    {
        var group = new GroupHarness(topics: ("t", 2));
        group.FormGroup(Request(clientId: "a"));

        OffsetCommitResult result = group.Commit("ghost-1", 1, (P(0), 3));

        Assert.Equal(ErrorCode.UnknownMemberId, result.Error);
        Assert.Equal(-1, group.Committed(P(0)));
    }

    [Fact]
    public void CommitOfTheCurrentGeneration_IsAcceptedWhileTheGroupPreparesARebalance()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a"))[0];
        group.Join(Request(clientId: "b"));
        Assert.Equal(GroupState.PreparingRebalance, group.Machine.State);

        Assert.Equal(ErrorCode.None, group.Commit(a, 1, (P(1), 42)).Error);
        Assert.Equal(42, group.Committed(P(1)));
    }

    [Fact]
    public void CommitWhileCompletingARebalance_IsRebalanceInProgress_UntilTheMemberHasSynced()
    {
        var group = new GroupHarness(topics: ("t", 2));
        long a = group.Join(Request(clientId: "a"));
        group.Join(Request(clientId: "b"));
        group.AdvanceMs(3_000);
        string memberId = group.Answered(a).MemberId;

        OffsetCommitResult early = group.Commit(memberId, 1, (P(0), 5));
        Assert.Equal(ErrorCode.RebalanceInProgress, early.Error);
        Assert.Equal(-1, group.Committed(P(0)));

        group.Sync(memberId, 1);
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.None, group.Commit(memberId, 1, (P(0), 5)).Error);
        Assert.Equal(5, group.Committed(P(0)));
    }

    [Fact]
    public void OffsetsForPartitionsThatDoNotExist_FailPerPartition_AndTheRestCommit()
    {
        var group = new GroupHarness(topics: [("t", 2), ("gone", 0)]);

        OffsetCommitResult result = group.Commit(string.Empty, -1, (P(0), 1), (P(2), 1), (P(0, "nope"), 1), (P(0, "gone"), 1), (P(1), 2));

        Assert.Equal(ErrorCode.None, result.Error);
        Assert.Equal(
            [ErrorCode.None, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition, ErrorCode.UnknownTopicOrPartition, ErrorCode.None],
            result.Partitions.Select(p => p.Error));
        Assert.Equal("topic 't' has 2 partitions; partition 2 does not exist", result.Partitions[1].Message);
        Assert.Equal([P(0), P(1)], group.Machine.FetchOffsets(null).Select(o => o.Partition));
    }

    [Fact]
    public void TooLongMetadata_IsOffsetMetadataTooLarge_AndNegativeOffsetIsOffsetOutOfRange()
    {
        var group = new GroupHarness(o => o.MaxOffsetMetadataLength = 4, ("t", 3));

        OffsetCommitResult result = group.Commit(new OffsetCommitRequest(string.Empty, null, -1,
        [
            new OffsetCommitEntry(P(0), 1, "12345"),
            new OffsetCommitEntry(P(1), -5, null),
            new OffsetCommitEntry(P(2), 9, "1234"),
        ]));

        Assert.Equal([ErrorCode.OffsetMetadataTooLarge, ErrorCode.OffsetOutOfRange, ErrorCode.None], result.Partitions.Select(p => p.Error));
        CommittedOffset kept = Assert.Single(group.Machine.FetchOffsets(null));
        Assert.Equal((P(2), 9L, "1234"), (kept.Partition, kept.Offset, kept.Metadata));
        Assert.Equal(group.Time.GetUtcNow().ToUnixTimeMilliseconds(), kept.CommitTimestampMs);
    }

    [Fact]
    public void FetchOffsets_ReturnsMinusOneForPartitionsWithoutACommit()
    {
        var group = new GroupHarness(topics: ("t", 3));
        group.Commit(string.Empty, -1, (P(1), 8));

        IReadOnlyList<CommittedOffset> offsets = group.Machine.FetchOffsets([P(0), P(1)]);

        Assert.Equal([(P(0), -1L, -1L), (P(1), 8L, group.Time.GetUtcNow().ToUnixTimeMilliseconds())], offsets.Select(o => (o.Partition, o.Offset, o.CommitTimestampMs)));
    }

    [Fact]
    public void Reset_IsNonEmptyGroupWhileMembersExist_AndMayMoveOffsetsBackwardsOnceEmpty()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a"))[0];
        group.Commit(a, 1, (P(0), 50));

        AdminResult refused = group.Machine.ResetOffsets([(P(0), 0)]);
        Assert.Equal(ErrorCode.NonEmptyGroup, refused.Error);
        Assert.Equal(50, group.Committed(P(0)));

        group.Leave(a);
        Assert.True(group.Machine.ResetOffsets([(P(0), 0), (P(1), 3)]).IsSuccess);
        Assert.Equal((0, 3), (group.Committed(P(0)), group.Committed(P(1))));
    }

    [Fact]
    public void Delete_IsGroupIdNotFoundForAGroupThatNeverExisted_NonEmptyGroupWithMembers_ElseClearsEverything()
    {
        var group = new GroupHarness(topics: ("t", 2));
        Assert.Equal(ErrorCode.GroupIdNotFound, group.Machine.Delete().Error);

        string a = group.FormGroup(Request(clientId: "a"))[0];
        group.Commit(a, 1, (P(0), 5));
        Assert.Equal(ErrorCode.NonEmptyGroup, group.Machine.Delete().Error);
        Assert.Equal(5, group.Committed(P(0)));

        group.Leave(a);
        Assert.True(group.Machine.Delete().IsSuccess);
        Assert.Equal((false, 0, GroupState.Empty), (group.Machine.Exists, group.Machine.GenerationId, group.Machine.State));
        Assert.Empty(group.Machine.FetchOffsets(null));
        Assert.False(group.Machine.Snapshot().Exists);
    }

    [Fact]
    public void Describe_ReportsLagPerPartitionAndInTotal_WithOwners()
    {
        var group = new GroupHarness(topics: [("t", 3), ("old", 1)]);
        group.Commit(string.Empty, -1, (P(0, "old"), 4));
        string[] ids = group.FormGroup(Request(clientId: "a"), Request(clientId: "b"));
        group.Commit(ids[0], 1, (P(0), 90));
        group.Commit(ids[1], 1, (P(2), 15));
        var watermarks = new Dictionary<TopicPartition, PartitionWatermarks>
        {
            [P(0)] = new(10, 100),
            [P(1)] = new(20, 60),
            [P(2)] = new(0, 10),
            [P(0, "old")] = new(0, 4),
        };

        GroupDescription description = group.Machine.Describe(watermarks);

        Assert.Equal(("g", GroupState.Stable, "range", 1), (description.GroupId, description.State, description.Assignor, description.GenerationId));
        Assert.Equal(["a-001", "b-002"], description.Members.Select(m => m.MemberId));
        Assert.Equal(Ps(0, 1), description.Members[0].Assignment);
        Assert.Equal(Ps(2), description.Members[1].Assignment);
        Assert.Equal(
            [
                new PartitionLag(P(0, "old"), 4, 4, 0, null),
                new PartitionLag(P(0), 90, 100, 10, "a-001"),
                new PartitionLag(P(1), -1, 60, 40, "a-001"),
                new PartitionLag(P(2), 15, 10, 0, "b-002"),
            ],
            description.Offsets);
        Assert.Equal(50, description.TotalLag);
    }

    [Fact]
    public void Describe_WithoutWatermarks_ShowsHighWatermarkMinusOneAndNoLag()
    {
        var group = new GroupHarness(topics: ("t", 1));
        group.Commit(string.Empty, -1, (P(0), 3));

        GroupDescription description = group.Machine.Describe(new Dictionary<TopicPartition, PartitionWatermarks>());

        Assert.Equal([new PartitionLag(P(0), 3, -1, 0, null)], description.Offsets);
        Assert.Equal((GroupState.Empty, 0L), (description.State, description.TotalLag));
    }

    [Fact]
    public void Version_GrowsWithDurableChangesOnly()
    {
        var group = new GroupHarness(topics: ("t", 1));
        long start = group.Machine.Version;

        group.Commit(string.Empty, -1, (P(5), 1));
        Assert.Equal(start, group.Machine.Version);
        group.Commit(string.Empty, -1, (P(0), 1));
        long afterCommit = group.Machine.Version;
        Assert.True(afterCommit > start);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat("x", 0));
        Assert.Equal(afterCommit, group.Machine.Version);
    }
}
