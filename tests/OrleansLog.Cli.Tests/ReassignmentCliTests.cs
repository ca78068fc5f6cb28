using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Commands;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Tests.Support;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>topics reassign</c>, <c>cluster rebalance</c> and the replica columns of <c>topics
/// describe</c>: the replica list keeps its order (preferred leader first) and malformed lists or
/// partitions fail before connecting; a move reads <c>from → to</c> in both describe and rebalance; a
/// rebalance that moves nothing says so in one line, and moves that did not start get an ERROR column and
/// make the command fail with the first one's code.
/// </summary>
public sealed class ReassignmentCliTests
{
    [Fact]
    public void ReplicaList_KeepsTheOrder_AndTrimsEachNodeId()
    {
        Assert.Equal(["node-3", "node-1", "node-2"], ReplicaListArguments.Parse(" node-3, node-1 ,node-2"));
        Assert.Equal(["node-1"], ReplicaListArguments.Parse("node-1"));
    }

    [Theory]
    [InlineData("", "--replicas needs at least one node id (for example node-1,node-2,node-3)")]
    [InlineData("node-1,,node-2", "--replicas 'node-1,,node-2' has an empty node id at position 2")]
    [InlineData("node-1,", "--replicas 'node-1,' has an empty node id at position 2")]
    [InlineData("node-1,node-2,node-1", "--replicas 'node-1,node-2,node-1' names node-1 twice")]
    public void ReplicaList_Malformed_ThrowsInvalidReplicaAssignmentNamingTheEntry(string value, string expectedMessage)
    {
        CliException error = Assert.Throws<CliException>(() => ReplicaListArguments.Parse(value));

        Assert.Equal(ErrorCode.InvalidReplicaAssignment, error.Error);
        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void CommandLine_Reassign_ParsesTopicPartitionAndReplicas()
    {
        var console = new CliConsole(Stream.Null, TextWriter.Null, TextWriter.Null, isErrorTerminal: false);
        System.CommandLine.ParseResult result = CliApplication.BuildRootCommand(console)
            .Parse(["topics", "reassign", "orders", "--partition", "2", "--replicas", "node-2,node-3"]);

        Assert.Empty(result.Errors);
        Assert.Equal("orders", result.GetValue<string>("name"));
        Assert.Equal(2, result.GetValue<int>("--partition"));
        Assert.Equal("node-2,node-3", result.GetValue<string>("--replicas"));
    }

    [Fact]
    public async Task ReassignCommand_WithAMalformedList_FailsWithInvalidReplicaAssignmentBeforeConnecting()
    {
        // The bootstrap address is unreachable: reaching it would fail differently (NetworkException).
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "topics", "reassign", "orders", "--partition", "0", "--replicas", "node-1,node-1");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(["error: InvalidReplicaAssignment: --replicas 'node-1,node-1' names node-1 twice"], run.ErrorLines);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task ReassignCommand_WithANegativePartition_IsAUsageErrorBeforeConnecting()
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "topics", "reassign", "orders", "--partition", "-1", "--replicas", "node-1");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(["error: InvalidRequest: --partition must be 0 or more, was -1"], run.ErrorLines);
    }

    [Fact]
    public async Task ReassignCommand_WithoutReplicas_IsAUsageError()
    {
        CliRun run = await Olog.RunAsync("topics", "reassign", "orders", "--partition", "0");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: InvalidRequest: Option '--replicas' is required.", line, StringComparison.Ordinal);
        Assert.EndsWith("(see 'olog topics reassign --help')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReassignCommand_WithABadTopicName_FailsWithInvalidTopicBeforeConnecting()
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "topics", "reassign", "a/b", "--partition", "0", "--replicas", "node-1");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: InvalidTopic: ", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ReassignStarted_NamesThePartitionTheTargetAndWhereToWatch()
    {
        Assert.Equal(
            "Reassignment of orders-2 to node-2,node-3 started; 'olog topics describe orders' shows its progress.",
            TopicsReassignCommand.Started("orders", 2, ["node-2", "node-3"]));
    }

    [Theory]
    [InlineData("topics", "reassign")]
    [InlineData("cluster", "rebalance")]
    public async Task Help_ListsTheNewCommands(string group, string command)
    {
        CliRun run = await Olog.RunAsync(group, "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains(command, run.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeText_ShowsTheEpoch_AndAMovingPartitionsReplicasAsFromTo()
    {
        var topic = new TopicDescription(
            "orders",
            new Dictionary<string, string> { ["retention.ms"] = "1000" },
            [
                new PartitionDescription(0, "node-1", ["node-1", "node-2"], ["node-1", "node-2"], 4, 0, 10, 12, 4096, ErrorCode.None),
                new PartitionDescription(1, "node-2", ["node-2", "node-1"], ["node-2", "node-1", "node-3"], 7, 5, 5, 6, 0, ErrorCode.None, ["node-3", "node-1"]),
            ]);
        var text = new StringWriter { NewLine = "\n" };

        TopicDescriptionText.Write(topic, text);

        Assert.Equal(
            """
            Topic: orders  Partitions: 2
            Config:
              retention.ms=1000
            PARTITION  LEADER  EPOCH  REPLICAS                       ISR                   LOG-START  HIGH-WATERMARK  LOG-END  SIZE-BYTES
            0          node-1  4      node-1,node-2                  node-1,node-2         0          10              12       4096
            1          node-2  7      node-2,node-1 → node-3,node-1  node-2,node-1,node-3  5          5               6        0

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }

    [Fact]
    public void RebalanceText_ShowsOneRowPerMove_FromTo()
    {
        ReplicaMove[] moves =
        [
            new("audit", 0, ["node-1"], ["node-3"], ErrorCode.None),
            new("orders", 1, ["node-1", "node-2"], ["node-2", "node-3"], ErrorCode.None),
        ];
        var text = new StringWriter { NewLine = "\n" };

        RebalanceText.Write(moves, text);

        Assert.Equal(
            """
            TOPIC   PARTITION  REPLICAS
            audit   0          node-1 → node-3
            orders  1          node-1,node-2 → node-2,node-3

            """.ReplaceLineEndings("\n"),
            text.ToString());
        Assert.Null(RebalanceText.Failure(moves));
    }

    [Fact]
    public void RebalanceText_OfABalancedCluster_IsOneLine()
    {
        var text = new StringWriter { NewLine = "\n" };

        RebalanceText.Write([], text);

        Assert.Equal("The cluster is already balanced: no partition moves.\n", text.ToString());
        Assert.Null(RebalanceText.Failure([]));
    }

    [Fact]
    public void RebalanceText_WithMovesThatDidNotStart_AddsAnErrorColumn_AndFailsWithTheFirstCode()
    {
        ReplicaMove[] moves =
        [
            new("orders", 0, ["node-1", "node-2"], ["node-3", "node-1"], ErrorCode.None),
            new("orders", 1, ["node-1", "node-2"], ["node-2", "node-3"], ErrorCode.ReassignmentInProgress),
            new("orders", 2, ["node-2", "node-1"], ["node-1", "node-3"], ErrorCode.RequestTimedOut),
        ];
        var text = new StringWriter { NewLine = "\n" };

        RebalanceText.Write(moves, text);
        CliException? failure = RebalanceText.Failure(moves);

        Assert.Equal(
            """
            TOPIC   PARTITION  REPLICAS                       ERROR
            orders  0          node-1,node-2 → node-3,node-1  -
            orders  1          node-1,node-2 → node-2,node-3  ReassignmentInProgress
            orders  2          node-2,node-1 → node-1,node-3  RequestTimedOut

            """.ReplaceLineEndings("\n"),
            text.ToString());
        Assert.NotNull(failure);
        Assert.Equal(
            "error: ReassignmentInProgress: 2 of 3 reassignments did not start: orders-1 (ReassignmentInProgress), orders-2 (RequestTimedOut)",
            ErrorLine.Describe(failure).Line);
        Assert.Equal(ExitCodes.Failure, ErrorLine.Describe(failure).ExitCode);
    }
}
