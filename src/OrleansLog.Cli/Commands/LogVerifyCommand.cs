using System.CommandLine;
using OrleansLog.Cli.LogTools;

namespace OrleansLog.Cli.Commands;

/// <summary>
/// <c>olog log verify DIR</c>: checks framing, magic, CRC-32C and offset continuity of every segment;
/// prints each problem and a summary, and fails with CorruptMessage naming the first problem's file and
/// position when there is any.
/// </summary>
internal static class LogVerifyCommand
{
    public static Command Create(CommandContext context)
    {
        var path = new Argument<string>("dir") { Description = "A partition directory, or a data directory (partitions under logs/ or directly)." };
        var command = new Command("verify", "Check every batch's length, magic and CRC and the offset continuity of every segment; exit non-zero on any problem.")
        {
            path,
        };
        context.SetAction(command, async (parseResult, _) =>
        {
            VerifyReport report = LogVerifier.Verify(parseResult.GetValue(path)!);
            foreach (LogProblem problem in report.Problems)
            {
                await context.Out.WriteLineAsync($"CORRUPT {problem}");
            }

            await context.Out.WriteLineAsync(report.Summary());
            if (!report.IsClean)
            {
                string more = report.Problems.Count > 1 ? $" (and {report.Problems.Count - 1} more problem(s))" : string.Empty;
                throw new CliException(ErrorCode.CorruptMessage, $"{report.Problems[0]}{more}");
            }
        });
        return command;
    }
}
