using OrleansLog.Client;
using OrleansLog.Records;

namespace OrleansLog.Cli.Producing;

/// <summary>How the CLI configures a producer from <c>--acks</c> and <c>--compression</c>.</summary>
internal static class ProducerSettings
{
    /// <summary>
    /// Idempotence needs acks=all (the client's validator insists), so it is on exactly when acks is all:
    /// retries then never duplicate records, and with other acks the user chose speed over that.
    /// </summary>
    public static Action<ProducerOptions> Configure(Acks acks, CompressionType compression) => options =>
    {
        options.Acks = acks;
        options.EnableIdempotence = acks != Acks.None;
        options.Compression = compression;
    };
}
