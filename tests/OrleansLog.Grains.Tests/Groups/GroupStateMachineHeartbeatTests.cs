using OrleansLog.Groups;
using Xunit;
using static OrleansLog.Grains.Tests.Groups.GroupHarness;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Protects Kafka's Heartbeat and SyncGroup answers in every state: UnknownMemberId for a member the group
/// does not know (an empty group knows none), IllegalGeneration for another generation,
/// RebalanceInProgress while a rebalance prepares, None in CompletingRebalance and Stable.
/// </summary>
public sealed class GroupStateMachineHeartbeatTests
{
    [Fact]
    public void Heartbeat_ToAnEmptyGroup_IsUnknownMemberId()
    {
        var group = new GroupHarness(topics: ("t", 1));

        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat("a-001", 0));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Sync("a-001", 0).Error);
    }

    [Fact]
    public void Heartbeat_AnswersByStateAndGeneration()
    {
        var group = new GroupHarness(topics: ("t", 2));
        long a = group.Join(Request(clientId: "a"));
        group.AdvanceMs(1_000);
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat("a-001", 0));

        group.AdvanceMs(2_000);
        Assert.Equal(1, group.Answered(a).GenerationId);
        Assert.Equal(GroupState.CompletingRebalance, group.Machine.State);
        Assert.Equal(ErrorCode.None, group.Heartbeat("a-001", 1));
        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat("a-001", 0));
        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat("a-001", 2));
        Assert.Equal(ErrorCode.UnknownMemberId, group.Heartbeat("x-009", 1));

        group.Sync("a-001", 1);
        Assert.Equal(GroupState.Stable, group.Machine.State);
        Assert.Equal(ErrorCode.None, group.Heartbeat("a-001", 1));
        Assert.Equal(ErrorCode.IllegalGeneration, group.Heartbeat("a-001", 0));

        group.Join(Request(clientId: "b"));
        Assert.Equal(ErrorCode.RebalanceInProgress, group.Heartbeat("a-001", 1));
    }

    [Fact]
    public void Sync_AnswersByStateAndGeneration()
    {
        var group = new GroupHarness(topics: ("t", 2));
        string a = group.FormGroup(Request(clientId: "a"))[0];

        Assert.Equal(ErrorCode.IllegalGeneration, group.Sync(a, 0).Error);
        Assert.Equal(ErrorCode.UnknownMemberId, group.Sync("x-009", 1).Error);
        Assert.Equal((ErrorCode.None, 1), (group.Sync(a, 1).Error, group.Sync(a, 1).GenerationId));

        group.Join(Request(clientId: "b"));
        SyncGroupResult duringRebalance = group.Sync(a, 1);
        Assert.Equal(ErrorCode.RebalanceInProgress, duringRebalance.Error);
        Assert.Empty(duringRebalance.Assignment);
    }

    [Fact]
    public void Heartbeats_KeepAMemberAliveIndefinitely()
    {
        var group = new GroupHarness(topics: ("t", 1));
        string a = group.FormGroup(Request(clientId: "a", sessionMs: 3_000))[0];

        for (int i = 0; i < 100; i++)
        {
            group.AdvanceMs(2_999);
            Assert.Equal(ErrorCode.None, group.Heartbeat(a, 1));
        }

        Assert.Empty(group.Removed);
        Assert.Equal(GroupState.Stable, group.Machine.State);
    }
}
