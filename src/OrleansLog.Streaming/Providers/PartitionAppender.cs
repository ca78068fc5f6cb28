using Orleans.Runtime;
using OrleansLog.Client;
using OrleansLog.Grains;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Appends one record batch to a partition through its grain and retries what Kafka calls retriable
/// (leader moving, not enough replicas, a silo gone) until <see cref="OrleansLogStreamOptions.ProduceTimeout"/>.
/// A retried append may land twice (at-least-once); a non-retriable error throws at once naming the partition.
/// </summary>
internal sealed class PartitionAppender(IGrainFactory grains, OrleansLogStreamOptions options, TimeProvider time)
{
    public async Task<AppendResult> AppendAsync(TopicPartition partition, byte[] batch, string what, CancellationToken cancellationToken)
    {
        IPartitionGrain grain = grains.GetGrain<IPartitionGrain>(partition.ToGrainKey());
        long started = time.GetTimestamp();
        TimeSpan backoff = TimeSpan.FromMilliseconds(50);
        for (int attempt = 0; ; attempt++)
        {
            // The leader stamps the offsets into the array in place: a retry sends a fresh copy.
            byte[] payload = attempt == 0 ? batch : (byte[])batch.Clone();
            string failure;
            ErrorCode error;
            using var attemptTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptTimeout.CancelAfter(options.RequestTimeout);
            try
            {
                AppendResult result = await grain.AppendAsync(new RecordBatchPayload(payload), options.Acks, attemptTimeout.Token);
                if (result.IsSuccess)
                {
                    return result;
                }

                error = result.Error;
                failure = result.Message ?? error.ToString();
                if (!error.IsRetriable())
                {
                    throw new OrleansLogException(error, $"{what} → {partition}: {failure}");
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = ErrorCode.RequestTimedOut;
                failure = $"no answer within the request timeout of {options.RequestTimeout.TotalMilliseconds:0} ms (attempt {attempt + 1})";
            }
            catch (Exception ex) when (IsTransient(ex) && !cancellationToken.IsCancellationRequested)
            {
                error = ErrorCode.RequestTimedOut;
                failure = $"{ex.GetType().Name}: {ex.Message}";
            }

            if (time.GetElapsedTime(started) + backoff > options.ProduceTimeout)
            {
                throw new OrleansLogException(error, $"{what} → {partition}: not stored within {options.ProduceTimeout.TotalSeconds:0.#} s; last error: {failure}");
            }

            await Task.Delay(backoff, time, cancellationToken);
            backoff = TimeSpan.FromMilliseconds(Math.Min(1000, backoff.TotalMilliseconds * 2));
        }
    }

    private static bool IsTransient(Exception ex) =>
        ex is TimeoutException or SiloUnavailableException or OrleansMessageRejectionException or Orleans.Runtime.Messaging.ConnectionFailedException;
}
