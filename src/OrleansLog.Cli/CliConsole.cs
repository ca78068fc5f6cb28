using System.Text;
using Microsoft.Win32.SafeHandles;

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
        new StreamWriter(OpenStandardOutput(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), OutputBufferBytes) { AutoFlush = false },
        Console.Error,
        isErrorTerminal: !Console.IsErrorRedirected);

    /// <summary>
    /// On Unix, when standard output is a pipe, file descriptor 1 as a plain <see cref="FileStream"/>: .NET's
    /// console stream swallows EPIPE, so <c>olog consume | head</c> would keep consuming forever into a pipe
    /// nobody reads, while a FileStream throws and the command stops (see <see cref="Output.BrokenPipe"/>).
    /// A regular file keeps the console stream: FileStream writes at positions it tracks itself, which
    /// would overwrite what earlier commands wrote to a shared <c>&gt; file</c> redirect.
    /// </summary>
    private static Stream OpenStandardOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return Console.OpenStandardOutput();
        }

        var descriptor = new FileStream(new SafeFileHandle(1, ownsHandle: false), FileAccess.Write, bufferSize: 0);
        if (descriptor.CanSeek)
        {
            descriptor.Dispose();
            return Console.OpenStandardOutput();
        }

        return descriptor;
    }
}
