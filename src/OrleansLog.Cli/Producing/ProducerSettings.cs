using OrleansLog.Client;
using OrleansLog.Records;

namespace OrleansLog.Cli.Producing;

/// <summary>How the CLI configures a producer from <c>--acks</c> and <c>--compression</c>.</summary>
internal static class ProducerSettings
{
    /// <summary>
    /// Idempotence is on unless acks is none (then nobody hears the leader's answers): retries never
    /// duplicate records, and sequence numbers keep several in-flight batches in order. A null
    /// <paramref name="linger"/> keeps the producer's default.
    /// </summary>
    public static Action<ProducerOptions> Configure(Acks acks, CompressionType compression, TimeSpan? linger = null) => options =>
    {
        options.Acks = acks;
        options.EnableIdempotence = acks != Acks.None;
        options.Compression = compression;
        if (linger is { } value)
        {
            options.Linger = value;
        }
    };
}
