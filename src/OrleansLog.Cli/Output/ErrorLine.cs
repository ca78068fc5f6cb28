using System.Net.Sockets;
using System.Text.RegularExpressions;
using Orleans.Runtime;
using Orleans.Runtime.Messaging;
using OrleansLog.Client;

namespace OrleansLog.Cli.Output;

/// <summary>
/// Turns any failure into the single line <c>olog</c> prints on standard error,
/// <c>error: {ErrorCode name}: {message}</c>, and the exit code that goes with it. Broker failures keep
/// the broker's code and message; Orleans transport failures become Kafka's NetworkException or
/// RequestTimedOut so that a script can tell "cluster unreachable" from "request refused".
/// </summary>
internal static partial class ErrorLine
{
    public static string Format(ErrorCode error, string message) => $"error: {error}: {SingleLine(message)}";

    /// <summary>The error line and exit code for <paramref name="exception"/>.</summary>
    public static (string Line, int ExitCode) Describe(Exception exception)
    {
        (ErrorCode error, string message, int exitCode) = Classify(exception);
        return (Format(error, message), exitCode);
    }

    private static (ErrorCode Error, string Message, int ExitCode) Classify(Exception exception) => exception switch
    {
        OrleansLogException e => (e.Error, e.Message, ExitCodes.Failure),
        CliException e => (e.Error, e.Message, e.IsUsageError ? ExitCodes.Usage : ExitCodes.Failure),
        AggregateException { InnerExceptions.Count: 1 } e => Classify(e.InnerExceptions[0]),
        OrleansMessageRejectionException or SiloUnavailableException or ConnectionFailedException or SocketException or GatewayTooBusyException =>
            (ErrorCode.NetworkException, $"the cluster is unreachable: {exception.Message}", ExitCodes.Failure),
        TimeoutException => (ErrorCode.RequestTimedOut, exception.Message, ExitCodes.Failure),
        ArgumentException => (ErrorCode.InvalidRequest, exception.Message, ExitCodes.Failure),
        FileNotFoundException or DirectoryNotFoundException => (ErrorCode.InvalidRequest, exception.Message, ExitCodes.Failure),
        IOException or UnauthorizedAccessException => (ErrorCode.KafkaStorageError, exception.Message, ExitCodes.Failure),
        _ => (ErrorCode.UnknownServerError, $"{exception.GetType().Name}: {exception.Message}", ExitCodes.Failure),
    };

    /// <summary>
    /// Messages may span lines (Orleans and the command-line parser put lists and detail in some); the
    /// error line never does, so every run of whitespace becomes one space.
    /// </summary>
    private static string SingleLine(string message) => Whitespace().Replace(message.Trim(), " ");

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
