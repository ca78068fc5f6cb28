namespace OrleansLog.Cli;

/// <summary>
/// A failure the CLI itself detects (a malformed argument, a corrupt log file, a line without its key
/// separator). It carries a Kafka <see cref="ErrorCode"/> like the broker's failures do, so every error
/// line has the same shape: <c>error: {code}: {message}</c>.
/// </summary>
internal sealed class CliException : Exception
{
    public CliException()
        : this(ErrorCode.InvalidRequest, "invalid request")
    {
    }

    public CliException(string message)
        : this(ErrorCode.InvalidRequest, message)
    {
    }

    public CliException(string message, Exception innerException)
        : base(message, innerException)
    {
        Error = ErrorCode.InvalidRequest;
    }

    public CliException(ErrorCode error, string message, bool isUsageError = false)
        : base(message)
    {
        Error = error;
        IsUsageError = isUsageError;
    }

    public ErrorCode Error { get; }

    /// <summary>True when the command line itself was wrong; such errors exit with <see cref="ExitCodes.Usage"/>.</summary>
    public bool IsUsageError { get; }

    /// <summary>A malformed or contradictory command-line argument.</summary>
    public static CliException Usage(string message) => new(ErrorCode.InvalidRequest, message, isUsageError: true);
}
