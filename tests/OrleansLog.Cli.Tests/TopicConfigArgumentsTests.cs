using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Tests.Support;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>--config key=value</c> handling: repeated options accumulate, the value may itself contain
/// '=', and malformed entries fail with InvalidConfig naming the entry — before any connection is made.
/// </summary>
public sealed class TopicConfigArgumentsTests
{
    [Fact]
    public void Parse_RepeatedEntries_BuildsTheOverrideMap()
    {
        Dictionary<string, string> config = TopicConfigArguments.Parse(["retention.ms=86400000", " segment.bytes = 1048576 ", "odd.key=a=b"]);

        Assert.Equal(3, config.Count);
        Assert.Equal("86400000", config["retention.ms"]);
        Assert.Equal("1048576", config["segment.bytes"]);
        Assert.Equal("a=b", config["odd.key"]);
    }

    [Fact]
    public void Parse_EmptyValue_IsKeptForTheBrokerToJudge()
    {
        Assert.Equal(string.Empty, TopicConfigArguments.Parse(["retention.ms="])["retention.ms"]);
    }

    [Theory]
    [InlineData(new[] { "retention.ms" }, "--config 'retention.ms' must be key=value (for example retention.ms=86400000)")]
    [InlineData(new[] { "=5" }, "--config '=5' has no key before '='")]
    [InlineData(new[] { "retention.ms=1", "retention.ms=2" }, "--config gives retention.ms twice ('1' and '2')")]
    public void Parse_Malformed_ThrowsInvalidConfigNamingTheEntry(string[] entries, string expectedMessage)
    {
        CliException error = Assert.Throws<CliException>(() => TopicConfigArguments.Parse(entries));

        Assert.Equal(ErrorCode.InvalidConfig, error.Error);
        Assert.Equal(expectedMessage, error.Message);
    }

    [Fact]
    public void CommandLine_RepeatedConfigOptions_AccumulateAndLeaveTheNameArgumentAlone()
    {
        var console = new CliConsole(Stream.Null, TextWriter.Null, TextWriter.Null, isErrorTerminal: false);
        System.CommandLine.ParseResult result = CliApplication.BuildRootCommand(console)
            .Parse(["topics", "create", "--config", "retention.ms=1000", "orders", "--config", "segment.bytes=2048", "--partitions", "3"]);

        Assert.Empty(result.Errors);
        Assert.Equal("orders", result.GetValue<string>("name"));
        Assert.Equal(["retention.ms=1000", "segment.bytes=2048"], result.GetValue<string[]>("--config")!);
        Assert.Equal(3, result.GetValue<int>("--partitions"));
    }

    [Fact]
    public async Task CreateCommand_WithMalformedConfig_FailsWithInvalidConfigBeforeConnecting()
    {
        // The bootstrap address is unreachable: reaching it would fail differently (NetworkException).
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "topics", "create", "orders", "--config", "retention.ms");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(["error: InvalidConfig: --config 'retention.ms' must be key=value (for example retention.ms=86400000)"], run.ErrorLines);
    }

    [Fact]
    public async Task AlterCommand_WithoutConfig_IsAUsageError()
    {
        CliRun run = await Olog.RunAsync("topics", "alter", "orders");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: InvalidRequest: Option '--config' is required.", line, StringComparison.Ordinal);
        Assert.EndsWith("(see 'olog topics alter --help')", line, StringComparison.Ordinal);
    }
}
