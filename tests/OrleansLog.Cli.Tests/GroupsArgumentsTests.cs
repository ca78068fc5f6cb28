using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Commands;
using OrleansLog.Cli.Tests.Support;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects the argument rules of <c>groups reset-offsets</c> (exactly one target; offsets not negative;
/// ISO dates, UTC unless they say otherwise) and of <c>consume --group</c> (not with --partition or
/// --offset), all failing as usage errors before any connection is made.
/// </summary>
public sealed class GroupsArgumentsTests
{
    [Fact]
    public void ResetTarget_EachSwitch_MapsToItsKind()
    {
        Assert.Equal(new OffsetResetSpec(OffsetResetKind.Earliest, 0), OffsetResetArguments.Parse(true, false, null, null));
        Assert.Equal(new OffsetResetSpec(OffsetResetKind.Latest, 0), OffsetResetArguments.Parse(false, true, null, null));
        Assert.Equal(new OffsetResetSpec(OffsetResetKind.ToOffset, 42), OffsetResetArguments.Parse(false, false, 42, null));
        Assert.Equal(
            new OffsetResetSpec(OffsetResetKind.ToTimestamp, 1_714_564_800_000),
            OffsetResetArguments.Parse(false, false, null, "2024-05-01T12:00:00Z"));
    }

    [Fact]
    public void ResetTarget_DateWithoutOffset_IsUtc_AndAnOffsetIsHonoured()
    {
        Assert.Equal(1_714_564_800_000, OffsetResetArguments.Parse(false, false, null, "2024-05-01T12:00:00").Value);
        Assert.Equal(1_714_557_600_000, OffsetResetArguments.Parse(false, false, null, "2024-05-01T12:00:00+02:00").Value);
    }

    [Theory]
    [InlineData(false, false, null, null, "give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime; none was given")]
    [InlineData(true, false, 5L, null, "give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime; got --to-earliest and --to-offset")]
    [InlineData(false, true, null, "2024-01-01", "give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime; got --to-latest and --to-datetime")]
    [InlineData(false, false, -1L, null, "--to-offset must be 0 or more, was -1")]
    [InlineData(false, false, null, "yesterday", "--to-datetime 'yesterday' is not an ISO 8601 date and time (for example 2024-05-01T12:00:00Z)")]
    public void ResetTarget_Invalid_IsAUsageErrorSayingWhy(bool toEarliest, bool toLatest, long? toOffset, string? toDatetime, string expected)
    {
        CliException error = Assert.Throws<CliException>(() => OffsetResetArguments.Parse(toEarliest, toLatest, toOffset, toDatetime));

        Assert.True(error.IsUsageError);
        Assert.Equal(ErrorCode.InvalidRequest, error.Error);
        Assert.Equal(expected, error.Message);
    }

    [Fact]
    public async Task ResetOffsetsCommand_WithTwoTargets_FailsBeforeConnecting()
    {
        // The bootstrap address is unreachable: reaching it would fail differently (NetworkException).
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "groups", "reset-offsets", "g", "--topic", "orders", "--to-earliest", "--to-latest");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(["error: InvalidRequest: give exactly one of --to-earliest, --to-latest, --to-offset or --to-datetime; got --to-earliest and --to-latest"], run.ErrorLines);
    }

    [Fact]
    public async Task ResetOffsetsCommand_WithoutTopic_IsAUsageError()
    {
        CliRun run = await Olog.RunAsync("groups", "reset-offsets", "g", "--to-earliest");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: InvalidRequest: Option '--topic' is required.", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DescribeCommand_WithABlankGroupId_FailsWithInvalidGroupIdBeforeConnecting()
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "groups", "describe", " ");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(["error: InvalidGroupId: a group id must not be empty or blank"], run.ErrorLines);
    }

    [Theory]
    [InlineData("--partition", "0")]
    [InlineData("--offset", "5")]
    public async Task ConsumeWithGroup_AndAManualPosition_IsAUsageError(string option, string value)
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "consume", "orders", "--group", "g", option, value);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(
            ["error: InvalidRequest: --group cannot be combined with --partition or --offset: the group assigns the partitions and starts at its committed offsets"],
            run.ErrorLines);
    }

    [Fact]
    public void ConsumeGroupId_WithoutGroup_IsNull_AndWithOneIsChecked()
    {
        Assert.Null(ConsumeCommand.GroupId(null, 0, 5));
        Assert.Equal("g", ConsumeCommand.GroupId("g", null, null));
        Assert.Equal(ErrorCode.InvalidGroupId, Assert.Throws<CliException>(() => ConsumeCommand.GroupId("", null, null)).Error);
    }
}
