using System.Text;

namespace OrleansLog.Cli;

/// <summary>
/// The three standard streams a command uses, so that tests run commands against in-memory streams.
/// <see cref="Out"/> is buffered (not auto-flushed): printing a million consumed records line by line
/// through the synchronised, auto-flushing <see cref="Console.Out"/> costs a write system call per line.
/// Commands flush it when they finish and when they go idle; <see cref="CliApplication"/> flushes it on
/// every exit path.
/// </summary>
internal sealed class CliConsole(Stream input, TextWriter output, TextWriter error, bool isErrorTerminal)
{
    private const int OutputBufferBytes = 64 * 1024;

    /// <summary>Raw standard input: produce splits it into lines itself, byte by byte.</summary>
    public Stream Input { get; } = input;

    /// <summary>Results: records, JSON lines, tables. Nothing else goes here.</summary>
    public TextWriter Out { get; } = output;

    /// <summary>The one-line error, progress bars and Orleans warnings.</summary>
    public TextWriter Error { get; } = error;

    /// <summary>True when standard error is a terminal, so a progress bar may be drawn there.</summary>
    public bool IsErrorTerminal { get; } = isErrorTerminal;

    public static CliConsole CreateSystem() => new(
        Console.OpenStandardInput(),
        new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), OutputBufferBytes) { AutoFlush = false },
        Console.Error,
        isErrorTerminal: !Console.IsErrorRedirected);
}
