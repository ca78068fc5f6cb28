namespace OrleansLog.Cli;

/// <summary>The process exit codes of <c>olog</c>.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The operation failed: a broker error, a connection failure, a corrupt log.</summary>
    public const int Failure = 1;

    /// <summary>The command line was wrong; nothing was attempted.</summary>
    public const int Usage = 2;

    /// <summary>Standard output was closed by its reader (128 + SIGPIPE, as shells report it).</summary>
    public const int BrokenPipe = 141;

    /// <summary>Interrupted with Ctrl+C (128 + SIGINT, as shells report it).</summary>
    public const int Interrupted = 130;
}
