using System.CommandLine;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog log</c>: offline tools over a stopped silo's data directory; no cluster needed.</summary>
internal static class LogCommand
{
    public static Command Create(CommandContext context)
    {
        var log = new Command("log", "Inspect and verify segment files on disk, without a silo.");
        log.Subcommands.Add(LogDumpCommand.Create(context));
        log.Subcommands.Add(LogVerifyCommand.Create(context));
        return log;
    }
}
