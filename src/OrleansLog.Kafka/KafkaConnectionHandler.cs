using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Protocol;

namespace OrleansLog.Kafka;

/// <summary>
/// One Kafka client connection on Kestrel: frames are taken off the pipe as they arrive and answered one
/// after another, so pipelined requests get their responses in request order. A frame above
/// <see cref="KafkaListenerOptions.MaxRequestBytes"/> or one that does not decode closes the connection with
/// a log line; the silo and other connections carry on.
/// </summary>
internal sealed partial class KafkaConnectionHandler(
    KafkaRequestDispatcher dispatcher, IOptions<KafkaListenerOptions> options, ILogger<KafkaConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        PipeReader input = connection.Transport.Input;
        PipeWriter output = connection.Transport.Output;
        CancellationToken closed = connection.ConnectionClosed;
        try
        {
            while (true)
            {
                ReadResult read = await input.ReadAsync(closed);
                ReadOnlySequence<byte> buffer = read.Buffer;
                try
                {
                    while (KafkaFrame.TryRead(ref buffer, options.Value.MaxRequestBytes, out ReadOnlySequence<byte> frame))
                    {
                        if (await dispatcher.HandleAsync(frame.ToArray(), closed) is { } response)
                        {
                            BinaryPrimitives.WriteInt32BigEndian(output.GetSpan(4), response.Length);
                            output.Advance(4);
                            await output.WriteAsync(response, closed);
                        }
                    }
                }
                finally
                {
                    input.AdvanceTo(buffer.Start, buffer.End);
                }

                if (read.IsCompleted)
                {
                    return;
                }
            }
        }
        catch (KafkaProtocolException ex)
        {
            LogBadRequest(logger, connection.RemoteEndPoint?.ToString() ?? "?", ex.Message);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ConnectionResetException or ConnectionAbortedException)
        {
            // The client went away.
        }
        catch (Exception ex)
        {
            // A request that failed in a way no Kafka error code describes (a grain call that threw): the
            // connection closes, as Kafka closes one it cannot answer; the client reconnects and retries.
            LogRequestFailed(logger, ex, connection.RemoteEndPoint?.ToString() ?? "?");
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Kafka client {Remote}: a request failed; closing the connection")]
    private static partial void LogRequestFailed(ILogger logger, Exception exception, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client {Remote}: closing the connection: {Reason}")]
    private static partial void LogBadRequest(ILogger logger, string remote, string reason);
}
