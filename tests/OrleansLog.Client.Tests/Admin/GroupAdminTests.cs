using OrleansLog.Groups;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the group half of the admin client: calls reach the group's coordinator, refusals surface as
/// <see cref="OrleansLogException"/> with the coordinator's code, and blank group ids fail with
/// InvalidGroupId before any grain is touched.
/// </summary>
public sealed class GroupAdminTests
{
    private readonly FakeGrainFactory _cluster = new();
    private readonly OrleansLogAdmin _admin;

    public GroupAdminTests()
    {
        _admin = new OrleansLogAdmin(_cluster);
    }

    [Fact]
    public async Task ListGroupsAsync_ReturnsTheRegistry()
    {
        _cluster.GroupRegistry.Groups.AddRange(["a", "b"]);
        Assert.Equal(["a", "b"], await _admin.ListGroupsAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task DescribeGroupAsync_ReturnsTheDescription_OrThrowsGroupIdNotFound()
    {
        var description = new GroupDescription("g", GroupState.Stable, "range", 3, [], [], 0);
        _cluster.Group("g").Description = description;

        Assert.Same(description, await _admin.DescribeGroupAsync("g", TestContext.Current.CancellationToken));
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.DescribeGroupAsync("ghost", TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.GroupIdNotFound, error.Error);
        Assert.Contains("ghost", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ResetAndDelete_ReachTheCoordinator_AndRefusalsCarryItsCode()
    {
        FakeGroupCoordinatorGrain group = _cluster.Group("g");
        await _admin.ResetGroupOffsetsAsync("g", "events", new OffsetResetSpec(OffsetResetKind.ToOffset, 42), TestContext.Current.CancellationToken);
        await _admin.DeleteGroupAsync("g", TestContext.Current.CancellationToken);
        Assert.Equal(["reset-offsets events ToOffset 42", "delete"], group.Log.Entries);

        group.NextAdminResult = AdminResult.Failure(ErrorCode.NonEmptyGroup, "group 'g' has 2 members");
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.DeleteGroupAsync("g", TestContext.Current.CancellationToken));
        Assert.Equal((ErrorCode.NonEmptyGroup, "group 'g' has 2 members"), (error.Error, error.Message));
    }

    [Theory]
    [InlineData("")]
    [InlineData("  ")]
    public async Task BlankGroupId_FailsWithInvalidGroupId(string groupId)
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(() => _admin.DeleteGroupAsync(groupId, TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.InvalidGroupId, error.Error);
    }

    [Fact]
    public async Task ResetGroupOffsetsAsync_WithAnInvalidTopic_FailsWithInvalidTopic()
    {
        var error = await Assert.ThrowsAsync<OrleansLogException>(
            () => _admin.ResetGroupOffsetsAsync("g", "a/b", new OffsetResetSpec(OffsetResetKind.Earliest, 0), TestContext.Current.CancellationToken));
        Assert.Equal(ErrorCode.InvalidTopic, error.Error);
    }
}
