using Orleans.Runtime;
using OrleansLog.Cli.Output;
using OrleansLog.Cli.Tests.Support;
using OrleansLog.Client;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects the failure contract scripts rely on: exit code 0 only on success, otherwise exactly one line
/// on standard error, <c>error: {ErrorCode name}: {message}</c> — the broker's code for broker errors,
/// NetworkException/RequestTimedOut for transport failures, exit code 2 for a wrong command line.
/// </summary>
public sealed class ErrorLineTests
{
    [Fact]
    public void BrokerError_KeepsItsCodeNameAndMessage()
    {
        (string line, int exitCode) = ErrorLine.Describe(new OrleansLogException(ErrorCode.TopicAlreadyExists, "Topic 'orders' already exists."));

        Assert.Equal("error: TopicAlreadyExists: Topic 'orders' already exists.", line);
        Assert.Equal(ExitCodes.Failure, exitCode);
    }

    [Fact]
    public void MultiLineMessage_BecomesOneLine()
    {
        (string line, _) = ErrorLine.Describe(new OrleansLogException(ErrorCode.InvalidConfig, "first\nsecond\r\nthird\n"));

        Assert.Equal("error: InvalidConfig: first second third", line);
    }

    [Fact]
    public void TransportFailures_MapToNetworkExceptionAndRequestTimedOut()
    {
        Assert.StartsWith("error: NetworkException: the cluster is unreachable: ", ErrorLine.Describe(new SiloUnavailableException("gone")).Line, StringComparison.Ordinal);
        Assert.Equal("error: RequestTimedOut: took too long", ErrorLine.Describe(new TimeoutException("took too long")).Line);
    }

    [Fact]
    public void UsageError_ExitsWithUsageCode()
    {
        (string line, int exitCode) = ErrorLine.Describe(CliException.Usage("--offset needs --partition"));

        Assert.Equal("error: InvalidRequest: --offset needs --partition", line);
        Assert.Equal(ExitCodes.Usage, exitCode);
    }

    [Fact]
    public async Task InvalidTopicName_FailsWithInvalidTopicWithoutACluster()
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "topics", "create", "a b");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        Assert.Equal(["error: InvalidTopic: topic name 'a b' contains ' '; legal characters are ASCII letters, digits, '.', '_' and '-'"], run.ErrorLines);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task UnknownOption_IsOneUsageLinePointingAtHelp()
    {
        CliRun run = await Olog.RunAsync("topics", "create", "orders", "--partitons", "3");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: InvalidRequest: ", line, StringComparison.Ordinal);
        Assert.Contains("--partitons", line, StringComparison.Ordinal);
        Assert.EndsWith("(see 'olog topics create --help')", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoCommand_IsAUsageError()
    {
        CliRun run = await Olog.RunAsync();

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(["error: InvalidRequest: Required command was not provided. (see 'olog --help')"], run.ErrorLines);
    }

    [Fact]
    public async Task BadChoice_IsAUsageErrorNamingTheOption()
    {
        CliRun run = await Olog.RunAsync("produce", "orders", "--acks", "some");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.Contains("some", line, StringComparison.Ordinal);
        Assert.Contains("--acks", line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "consume", "orders", "--offset", "5" }, "error: InvalidRequest: --offset needs --partition: an offset means something only within one partition")]
    [InlineData(new[] { "consume", "orders", "--partition", "0", "--offset", "5", "--from-beginning" }, "error: InvalidRequest: give either --offset or --from-beginning, not both")]
    [InlineData(new[] { "consume", "orders", "--max-messages", "0" }, "error: InvalidRequest: --max-messages must be at least 1, was 0")]
    [InlineData(new[] { "perf", "e2e", "--topic", "t", "--rate", "10", "--seconds", "1", "--record-size", "8" }, "error: InvalidRequest: --record-size must be at least 16, was 8")]
    [InlineData(new[] { "produce", "orders", "--key-separator", "" }, "error: InvalidRequest: --key-separator must not be empty")]
    public async Task ContradictoryArguments_AreUsageErrorsBeforeConnecting(string[] args, string expectedLine)
    {
        CliRun run = await Olog.RunAsync(["--bootstrap", "127.0.0.1:1", .. args]);

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal([expectedLine], run.ErrorLines);
    }

    [Fact]
    public async Task Help_PrintsUsageOnStdout_AndSucceeds()
    {
        CliRun run = await Olog.RunAsync("perf", "e2e", "--help");

        Assert.Equal(ExitCodes.Success, run.ExitCode);
        Assert.Contains("--rate", run.Out, StringComparison.Ordinal);
        Assert.Contains("--bootstrap", run.Out, StringComparison.Ordinal);
        Assert.Equal(string.Empty, run.Error);
    }
}
