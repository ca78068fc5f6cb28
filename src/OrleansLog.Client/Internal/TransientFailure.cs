using Orleans.Runtime;
using Orleans.Runtime.Messaging;

namespace OrleansLog.Client;

/// <summary>
/// Tells apart exceptions from a grain call that are worth retrying: Orleans' own transport failures while
/// a silo dies and its grains move (ORLEANS-NOTES: calls fail with OrleansMessageRejectionException /
/// ConnectionFailedException until membership declares the silo dead, 1-14 s), timeouts, and retriable
/// OrleansLog errors.
/// </summary>
internal static class TransientFailure
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        OrleansLogException log => log.IsRetriable,
        OrleansMessageRejectionException => true, // includes SiloUnavailableException
        ConnectionFailedException => true,
        GatewayTooBusyException => true,
        TimeoutException => true,
        _ => false,
    };
}
