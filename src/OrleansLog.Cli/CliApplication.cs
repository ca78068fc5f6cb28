using System.CommandLine;
using System.CommandLine.Parsing;
using OrleansLog.Cli.Commands;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli;

/// <summary>
/// Builds the <c>olog</c> command tree and runs one command line. A command line that does not parse
/// prints one error line (not the help text) and exits with <see cref="ExitCodes.Usage"/>, so scripts get
/// the same one-line contract for usage errors as for broker errors.
/// </summary>
internal static class CliApplication
{
    public static RootCommand BuildRootCommand(CliConsole console)
    {
        var globals = new GlobalOptions();
        var context = new CommandContext(console, globals);
        var root = new RootCommand("olog: manage topics, produce, consume, benchmark and inspect an OrleansLog cluster.");
        globals.AddTo(root);
        root.Subcommands.Add(TopicsCommand.Create(context));
        root.Subcommands.Add(ProduceCommand.Create(context));
        root.Subcommands.Add(ConsumeCommand.Create(context));
        root.Subcommands.Add(GroupsCommand.Create(context));
        root.Subcommands.Add(PerfCommand.Create(context));
        root.Subcommands.Add(LogCommand.Create(context));
        root.Subcommands.Add(ClusterCommand.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliConsole console, CancellationToken cancellationToken = default)
    {
        RootCommand root = BuildRootCommand(console);
        ParseResult parseResult = root.Parse(args);
        int exitCode;
        try
        {
            if (parseResult.Errors.Count > 0)
            {
                string help = $"see '{CommandPath(parseResult)} --help'";
                await console.Error.WriteLineAsync(ErrorLine.Format(ErrorCode.InvalidRequest, $"{Describe(parseResult.Errors[0])} ({help})"));
                exitCode = ExitCodes.Usage;
            }
            else
            {
                var configuration = new InvocationConfiguration { Output = console.Out, Error = console.Error };
                exitCode = await parseResult.InvokeAsync(configuration, cancellationToken);
            }

            await BrokenPipe.FlushQuietlyAsync(console.Out);
        }
        catch (IOException ex)
        {
            // Standard output itself failed (a full disk behind a redirect): say so instead of crashing.
            await console.Error.WriteLineAsync(ErrorLine.Format(ErrorCode.UnknownServerError, $"cannot write standard output: {ex.Message}"));
            return ExitCodes.Failure;
        }

        return exitCode;
    }

    /// <summary>The parser's message, prefixed with the option it is about when it does not say so itself.</summary>
    private static string Describe(ParseError error)
    {
        string? option = error.SymbolResult switch
        {
            OptionResult o => o.Option.Name,
            ArgumentResult { Parent: OptionResult o } => o.Option.Name,
            _ => null,
        };
        return option is null || error.Message.Contains(option, StringComparison.Ordinal) ? error.Message : $"{option}: {error.Message}";
    }

    private static string CommandPath(ParseResult parseResult)
    {
        var names = new Stack<string>();
        for (SymbolResult? result = parseResult.CommandResult; result is not null; result = result.Parent)
        {
            if (result is CommandResult command)
            {
                names.Push(command.Parent is null ? "olog" : command.Command.Name);
            }
        }

        return string.Join(' ', names);
    }
}
