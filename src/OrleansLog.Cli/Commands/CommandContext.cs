using System.CommandLine;
using OrleansLog.Cli.Connection;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// What every command needs: the console, the global options, and one way to run an action so that
/// every failure ends the same way (one error line on standard error, a non-zero exit code).
/// </summary>
internal sealed class CommandContext(CliConsole console, GlobalOptions globals)
{
    public CliConsole Console { get; } = console;

    public GlobalOptions Globals { get; } = globals;

    public TextWriter Out => Console.Out;

    public Task<ClusterConnection> ConnectAsync(ParseResult parseResult, CancellationToken cancellationToken) =>
        ClusterConnection.ConnectAsync(Globals.GetConnectionSettings(parseResult), Console.Error, cancellationToken);

    /// <summary>
    /// Sets <paramref name="action"/> as the command's action. It succeeds by returning and fails by
    /// throwing; output written before a failure is flushed before the error line.
    /// </summary>
    /// <param name="interruptIsSuccess">True for commands that run until Ctrl+C (consume): then Ctrl+C
    /// is the normal end, not a failure.</param>
    public void SetAction(Command command, Func<ParseResult, CancellationToken, Task> action, bool interruptIsSuccess = false)
    {
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            try
            {
                await action(parseResult, cancellationToken);
                await Out.FlushAsync(CancellationToken.None);
                return ExitCodes.Success;
            }
            catch (IOException ex) when (BrokenPipe.Is(ex))
            {
                // Whoever read standard output has gone (olog consume ... | head): stop quietly, as Unix
                // tools killed by SIGPIPE do.
                return ExitCodes.BrokenPipe;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await BrokenPipe.FlushQuietlyAsync(Out);
                if (interruptIsSuccess)
                {
                    return ExitCodes.Success;
                }

                await Console.Error.WriteLineAsync("error: interrupted");
                return ExitCodes.Interrupted;
            }
            catch (Exception ex)
            {
                await BrokenPipe.FlushQuietlyAsync(Out);
                (string line, int exitCode) = ErrorLine.Describe(ex);
                await Console.Error.WriteLineAsync(line);
                return exitCode;
            }
        });
    }
}
