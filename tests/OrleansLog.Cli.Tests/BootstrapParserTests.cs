using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Tests.Support;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects <c>--bootstrap</c> parsing: several gateways, names and IP literals (IPv6 in brackets) are
/// accepted; anything malformed is a usage error (exit 2) that quotes the bad entry, before any connection
/// is attempted.
/// </summary>
public sealed class BootstrapParserTests
{
    [Fact]
    public void Parse_SeveralEndpoints_KeepsEachHostAndPortInOrder()
    {
        IReadOnlyList<BootstrapAddress> gateways = BootstrapParser.Parse("localhost:30000, 10.0.0.7:30001,broker-3.example:30002,[::1]:30003");

        Assert.Equal(
            [
                new BootstrapAddress("localhost", 30000),
                new BootstrapAddress("10.0.0.7", 30001),
                new BootstrapAddress("broker-3.example", 30002),
                new BootstrapAddress("::1", 30003),
            ],
            gateways);
        Assert.Equal("[::1]:30003", gateways[3].ToString());
    }

    [Theory]
    [InlineData("localhost", "--bootstrap entry 'localhost' must be host:port (for example localhost:30000 or [::1]:30000)")]
    [InlineData("localhost:", "--bootstrap entry 'localhost:': port '' is not a number between 1 and 65535")]
    [InlineData("localhost:http", "--bootstrap entry 'localhost:http': port 'http' is not a number between 1 and 65535")]
    [InlineData("localhost:65536", "--bootstrap entry 'localhost:65536': port '65536' is not a number between 1 and 65535")]
    [InlineData("localhost:0", "--bootstrap entry 'localhost:0': port '0' is not a number between 1 and 65535")]
    [InlineData(":30000", "--bootstrap entry ':30000' has no valid host before the port")]
    [InlineData("a:1,,b:2", "--bootstrap 'a:1,,b:2' has an empty entry; expected host:port[,host:port...]")]
    [InlineData("::1:30000", "--bootstrap entry '::1:30000' must be host:port (for example localhost:30000 or [::1]:30000)")]
    [InlineData("[nonsense]:1", "--bootstrap entry '[nonsense]:1': 'nonsense' in brackets is not an IPv6 address")]
    [InlineData("  ", "--bootstrap is empty; expected host:port[,host:port...]")]
    public void Parse_MalformedEntry_IsAUsageErrorQuotingTheEntry(string bootstrap, string expectedMessage)
    {
        CliException error = Assert.Throws<CliException>(() => BootstrapParser.Parse(bootstrap));

        Assert.Equal(expectedMessage, error.Message);
        Assert.Equal(ErrorCode.InvalidRequest, error.Error);
        Assert.True(error.IsUsageError);
    }

    [Fact]
    public async Task Command_WithBadBootstrap_FailsWithOneErrorLineAndUsageExitCode()
    {
        CliRun run = await Olog.RunAsync("--bootstrap", "localhost:30000,broker", "topics", "list");

        Assert.Equal(ExitCodes.Usage, run.ExitCode);
        Assert.Equal(["error: InvalidRequest: --bootstrap entry 'broker' must be host:port (for example localhost:30000 or [::1]:30000)"], run.ErrorLines);
        Assert.Equal(string.Empty, run.Out);
    }

    [Fact]
    public async Task Command_WhenNoGatewayAnswers_FailsWithOneNetworkExceptionLine()
    {
        // Port 1 on loopback refuses at once; a zero connect timeout means no retry.
        CliRun run = await Olog.RunAsync("--bootstrap", "127.0.0.1:1", "--connect-timeout-ms", "0", "topics", "list");

        Assert.Equal(ExitCodes.Failure, run.ExitCode);
        string line = Assert.Single(run.ErrorLines);
        Assert.StartsWith("error: NetworkException: cannot connect to the cluster at 127.0.0.1:1 (cluster id 'orleanslog')", line, StringComparison.Ordinal);
    }
}
