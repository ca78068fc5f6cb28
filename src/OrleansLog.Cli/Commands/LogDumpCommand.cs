using System.CommandLine;
using OrleansLog.Cli.LogTools;
using OrleansLog.Cli.Output;

namespace OrleansLog.Cli.Commands;

/// <summary><c>olog log dump PATH [--records] [--format text|json]</c>.</summary>
internal static class LogDumpCommand
{
    public static Command Create(CommandContext context)
    {
        var path = new Argument<string>("path") { Description = "A segment file ({baseOffset:D20}.log) or a partition directory." };
        var records = new Option<bool>("--records") { Description = "Also print every record's offset, timestamp, key and value." };
        Option<string> format = OutputFormat.Option("text, or json: one object per batch per line.");
        var command = new Command(
            "dump",
            "Print every batch: base and last offset, position, size, record count, max timestamp, codec, and CRC ok/CORRUPT. Damage is printed, not fatal (use 'log verify' to check).")
        {
            path, records, format,
        };
        context.SetAction(command, (parseResult, _) =>
        {
            using var dumper = new LogDumper(context.Out, OutputFormat.IsJson(parseResult.GetValue(format)), parseResult.GetValue(records));
            dumper.Dump(parseResult.GetValue(path)!);
            return Task.CompletedTask;
        });
        return command;
    }
}
