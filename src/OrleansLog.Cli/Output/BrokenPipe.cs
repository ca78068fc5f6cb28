namespace OrleansLog.Cli.Output;

/// <summary>
/// Recognises writes to a pipe whose reader has exited. .NET ignores SIGPIPE, so such a write throws an
/// <see cref="IOException"/> carrying errno EPIPE instead of ending the process.
/// </summary>
internal static class BrokenPipe
{
    /// <summary>EPIPE on Linux and macOS; .NET puts the errno in HResult for I/O errors on Unix.</summary>
    private const int EPipe = 32;

    public static bool Is(IOException exception) => exception.HResult == EPipe;

    /// <summary>Flushes, ignoring a reader that has gone: there is nobody left to tell.</summary>
    public static async Task FlushQuietlyAsync(TextWriter writer)
    {
        try
        {
            await writer.FlushAsync(CancellationToken.None);
        }
        catch (IOException ex) when (Is(ex))
        {
            // Nothing to do: the output has no reader.
        }
    }
}
