using System.Threading.Channels;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Output;
using OrleansLog.Client;

namespace OrleansLog.Cli.Producing;

/// <summary>
/// Produces one record per input line without waiting for each one: records go to the producer as fast as
/// it buffers them, while a reporter reports each record's outcome in input order as soon as it and those
/// before it are known — a metadata line (<c>--print-metadata</c>) for an acknowledged record, an error line
/// naming the input line for a failed one, which does not stop the records after it (Kafka's console
/// producer goes on too). The run fails at the end when any record failed. Interrupted (Ctrl-C, SIGTERM),
/// it stops reading, gives the records already sent a moment to be acknowledged, and reports every record
/// acknowledged by then. A bounded window of records awaiting their outcome keeps memory bounded.
/// </summary>
internal sealed class LineProducer(
    IProducer producer, string topic, int? partition, KeySeparator? keySeparator, TextWriter? metadataOutput, TextWriter? errorOutput = null)
{
    /// <summary>
    /// Records awaiting their outcome. 16384 lines of 100 bytes are 1.6 MB, about 25 batches of the
    /// default 64 KiB: enough that the window never stalls a producer that pipelines five batches per
    /// partition.
    /// </summary>
    public const int PendingWindow = 16384;

    /// <summary>
    /// How long an interrupted run waits for records already sent: within the two seconds the command-line
    /// host allows an interrupted command before it ends the process.
    /// </summary>
    public static readonly TimeSpan InterruptGrace = TimeSpan.FromSeconds(1);

    private readonly TaskCompletionSource _interrupted = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private (long Line, OrleansLogException Error)? _firstFailure;

    /// <summary>Records acknowledged so far.</summary>
    public long Acknowledged { get; private set; }

    /// <summary>Records that failed so far.</summary>
    public long Failed { get; private set; }

    /// <summary>Records sent but neither acknowledged nor failed when an interrupted run ended.</summary>
    public long Unacknowledged { get; private set; }

    public async Task RunAsync(LineReader input, CancellationToken cancellationToken)
    {
        var pending = Channel.CreateBounded<PendingRecord>(new BoundedChannelOptions(PendingWindow) { SingleReader = true, SingleWriter = true });
        using var reporterFailed = new CancellationTokenSource();
        Task reporting = ReportAsync(pending.Reader, reporterFailed);
        long lineNumber = 0;
        bool interrupted = false;
        try
        {
            using var reading = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, reporterFailed.Token);
            while (true)
            {
                (bool read, ReadOnlyMemory<byte> line) = await input.ReadLineAsync(reading.Token);
                if (!read)
                {
                    break;
                }

                lineNumber++;
                Message message = CreateMessage(line.Span, lineNumber);
                Task<RecordMetadata> acknowledgement = producer.ProduceAsync(topic, message, reading.Token);
                await pending.Writer.WriteAsync(new PendingRecord(lineNumber, acknowledgement), reading.Token);
            }

            await producer.FlushAsync(reading.Token);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            interrupted = true;
            await WaitForSentRecordsAsync();
        }
        catch (OperationCanceledException) when (reporterFailed.IsCancellationRequested)
        {
            // The reporter failed (standard output closed): its exception is the one to report.
        }
        catch (Exception)
        {
            // A bad input line: report the records before it, then end with its error.
            pending.Writer.TryComplete();
            _interrupted.TrySetResult();
            await reporting;
            throw;
        }
        finally
        {
            pending.Writer.TryComplete();
            _interrupted.TrySetResult();
        }

        await reporting;
        if (interrupted)
        {
            if (errorOutput is not null)
            {
                await errorOutput.WriteLineAsync(
                    $"interrupted after {lineNumber} input line(s): {Acknowledged} record(s) acknowledged, {Failed} failed, {Unacknowledged} not acknowledged (these may or may not have been written)");
            }

            cancellationToken.ThrowIfCancellationRequested();
        }

        if (_firstFailure is { } first)
        {
            throw new OrleansLogException(
                first.Error.Error,
                $"{Failed} of {Acknowledged + Failed} record(s) failed; the first, input line {first.Line}: {first.Error.Message}",
                first.Error);
        }
    }

    private async Task WaitForSentRecordsAsync()
    {
        using var grace = new CancellationTokenSource(InterruptGrace);
        try
        {
            await producer.FlushAsync(grace.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or OrleansLogException or TimeoutException)
        {
            // What is not acknowledged within the grace is counted as such; failures are reported per record.
        }
    }

    private async Task ReportAsync(ChannelReader<PendingRecord> pending, CancellationTokenSource failed)
    {
        try
        {
            while (await pending.WaitToReadAsync())
            {
                while (pending.TryRead(out PendingRecord record))
                {
                    if (!record.Acknowledgement.IsCompleted)
                    {
                        // About to wait: what is reported so far reaches the reader now, not when stdin closes.
                        await FlushAsync();
                        await Task.WhenAny(record.Acknowledgement, _interrupted.Task);
                        if (!record.Acknowledgement.IsCompleted)
                        {
                            Unacknowledged++;
                            continue;
                        }
                    }

                    await ReportAsync(record);
                }

                // Everything sent so far is reported: it reaches the reader before the next line is waited for.
                await FlushAsync();
            }
        }
        catch
        {
            await failed.CancelAsync();
            throw;
        }
    }

    private async Task ReportAsync(PendingRecord record)
    {
        if (record.Acknowledgement.IsCompletedSuccessfully)
        {
            RecordMetadata metadata = record.Acknowledgement.Result;
            Acknowledged++;
            if (metadataOutput is not null)
            {
                await metadataOutput.WriteLineAsync(CliJson.Serialize(new ProducedRecordJson(metadata.Partition, metadata.Offset)));
            }

            return;
        }

        Exception exception = record.Acknowledgement.Exception?.InnerException ?? new OperationCanceledException();
        OrleansLogException error = exception as OrleansLogException
            ?? new OrleansLogException(ErrorCode.UnknownServerError, $"{exception.GetType().Name}: {exception.Message}", exception);
        Failed++;
        _firstFailure ??= (record.Line, error);
        if (metadataOutput is not null)
        {
            await metadataOutput.WriteLineAsync(CliJson.Serialize(new FailedRecordJson(record.Line, error.Error.ToString(), error.Message)));
        }

        if (errorOutput is not null)
        {
            await errorOutput.WriteLineAsync(ErrorLine.Format(error.Error, $"input line {record.Line}: {error.Message}"));
        }
    }

    private async Task FlushAsync()
    {
        if (metadataOutput is not null)
        {
            await metadataOutput.FlushAsync();
        }
    }

    private Message CreateMessage(ReadOnlySpan<byte> line, long lineNumber)
    {
        if (keySeparator is null)
        {
            return new Message { Value = line.ToArray(), Partition = partition };
        }

        (byte[] key, byte[] value) = keySeparator.Split(line, lineNumber);
        return new Message { Key = key, Value = value, Partition = partition };
    }

    private readonly record struct PendingRecord(long Line, Task<RecordMetadata> Acknowledgement);
}
