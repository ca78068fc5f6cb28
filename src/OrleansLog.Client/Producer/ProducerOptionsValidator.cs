namespace OrleansLog.Client;

/// <summary>Checks <see cref="ProducerOptions"/> and throws an <see cref="ArgumentException"/> naming the option.</summary>
public static class ProducerOptionsValidator
{
    public static void Validate(ProducerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.Acks))
        {
            throw Invalid(nameof(ProducerOptions.Acks), $"must be None, Leader or All, was {(short)options.Acks}");
        }

        if (options.EnableIdempotence && options.Acks == Acks.None)
        {
            throw Invalid(
                nameof(ProducerOptions.Acks),
                $"must be Leader or All when {nameof(ProducerOptions.EnableIdempotence)} is true (was {options.Acks}): an idempotent producer needs the leader's answers; set {nameof(ProducerOptions.EnableIdempotence)} = false to use acks=none");
        }

        if (options.Linger < TimeSpan.Zero || options.Linger > TimeSpan.FromMinutes(10))
        {
            throw Invalid(nameof(ProducerOptions.Linger), $"must be between 0 and 10 minutes, was {options.Linger}");
        }

        if (options.MaxRequestBytes < 1024)
        {
            throw Invalid(nameof(ProducerOptions.MaxRequestBytes), $"must be at least 1024, was {options.MaxRequestBytes}");
        }

        if (options.BatchBytes < 1024 || options.BatchBytes > options.MaxRequestBytes)
        {
            throw Invalid(
                nameof(ProducerOptions.BatchBytes),
                $"must be between 1024 and {nameof(ProducerOptions.MaxRequestBytes)} ({options.MaxRequestBytes}), was {options.BatchBytes}");
        }

        if (options.BufferMemoryBytes < options.MaxRequestBytes)
        {
            throw Invalid(
                nameof(ProducerOptions.BufferMemoryBytes),
                $"must be at least {nameof(ProducerOptions.MaxRequestBytes)} ({options.MaxRequestBytes}) so the largest record fits, was {options.BufferMemoryBytes}");
        }

        int maxInFlight = options.EnableIdempotence ? 5 : 1000;
        if (options.MaxInFlightPerPartition < 1 || options.MaxInFlightPerPartition > maxInFlight)
        {
            throw Invalid(
                nameof(ProducerOptions.MaxInFlightPerPartition),
                options.EnableIdempotence
                    ? $"must be between 1 and 5 with idempotence (the leader deduplicates only the last five batches), was {options.MaxInFlightPerPartition}"
                    : $"must be between 1 and 1000, was {options.MaxInFlightPerPartition}");
        }

        if (options.RetryBackoff <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ProducerOptions.RetryBackoff), $"must be positive, was {options.RetryBackoff}");
        }

        if (options.RetryBackoffMax < options.RetryBackoff)
        {
            throw Invalid(
                nameof(ProducerOptions.RetryBackoffMax),
                $"must be at least {nameof(ProducerOptions.RetryBackoff)} ({options.RetryBackoff}), was {options.RetryBackoffMax}");
        }

        if (options.DeliveryTimeout <= options.Linger || options.DeliveryTimeout > TimeSpan.FromDays(1))
        {
            throw Invalid(
                nameof(ProducerOptions.DeliveryTimeout),
                $"must exceed {nameof(ProducerOptions.Linger)} ({options.Linger}) and be at most one day, was {options.DeliveryTimeout}");
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout >= options.DeliveryTimeout)
        {
            throw Invalid(
                nameof(ProducerOptions.RequestTimeout),
                $"must be positive and below {nameof(ProducerOptions.DeliveryTimeout)} ({options.DeliveryTimeout}), was {options.RequestTimeout}");
        }

        if (options.MetadataMaxAge <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ProducerOptions.MetadataMaxAge), $"must be positive, was {options.MetadataMaxAge}");
        }

        if (!Enum.IsDefined(options.Compression))
        {
            throw Invalid(nameof(ProducerOptions.Compression), $"must be a Kafka codec (None, Gzip, Snappy, Lz4, Zstd), was {(byte)options.Compression}");
        }
    }

    private static ArgumentException Invalid(string option, string problem) =>
        new($"{nameof(ProducerOptions)}.{option} {problem}.", option);
}
