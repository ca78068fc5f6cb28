using Spectre.Console;

namespace OrleansLog.Cli.Perf;

/// <summary>
/// Shows a benchmark's progress as a Spectre.Console bar on standard error, only when standard error is a
/// terminal: standard output carries the one JSON result line and must stay clean for scripts.
/// </summary>
internal static class PerfProgress
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(100);

    /// <param name="current">Read every refresh; the work updates it (a counter read is enough).</param>
    public static async Task<T> RunAsync<T>(CliConsole console, string description, long total, Func<long> current, Func<Task<T>> work)
    {
        if (!console.IsErrorTerminal)
        {
            return await work();
        }

        IAnsiConsole terminal = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(console.Error) });
        return await terminal.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
            .StartAsync(async context =>
            {
                ProgressTask bar = context.AddTask(description, maxValue: Math.Max(1, total));
                Task<T> running = work();
                while (!running.IsCompleted)
                {
                    await Task.WhenAny(running, Task.Delay(RefreshInterval));
                    bar.Value = current();
                }

                return await running;
            });
    }
}
