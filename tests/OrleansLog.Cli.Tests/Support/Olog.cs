using System.Text;

namespace OrleansLog.Cli.Tests.Support;

/// <summary>Runs the real command tree against in-memory standard streams.</summary>
internal static class Olog
{
    public static Task<CliRun> RunAsync(params string[] args) => RunWithInputAsync(string.Empty, args);

    public static async Task<CliRun> RunWithInputAsync(string input, params string[] args)
    {
        var output = new StringWriter { NewLine = "\n" };
        var error = new StringWriter { NewLine = "\n" };
        var console = new CliConsole(new MemoryStream(Encoding.UTF8.GetBytes(input)), output, error, isErrorTerminal: false);
        int exitCode = await CliApplication.RunAsync(args, console, TestContext.Current.CancellationToken);
        return new CliRun(exitCode, output.ToString(), error.ToString());
    }
}
