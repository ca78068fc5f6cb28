namespace OrleansLog.Client;

/// <summary>Checks <see cref="ConsumerOptions"/> and throws an <see cref="ArgumentException"/> naming the option.</summary>
public static class ConsumerOptionsValidator
{
    public static void Validate(ConsumerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!Enum.IsDefined(options.AutoOffsetReset))
        {
            throw Invalid(nameof(ConsumerOptions.AutoOffsetReset), $"must be Earliest, Latest or Error, was {(int)options.AutoOffsetReset}");
        }

        if (options.MaxPartitionFetchBytes < 1024)
        {
            throw Invalid(nameof(ConsumerOptions.MaxPartitionFetchBytes), $"must be at least 1024, was {options.MaxPartitionFetchBytes}");
        }

        if (options.FetchMinBytes < 0 || options.FetchMinBytes > options.MaxPartitionFetchBytes)
        {
            throw Invalid(
                nameof(ConsumerOptions.FetchMinBytes),
                $"must be between 0 and {nameof(ConsumerOptions.MaxPartitionFetchBytes)} ({options.MaxPartitionFetchBytes}), was {options.FetchMinBytes}");
        }

        if (options.FetchMaxWait < TimeSpan.Zero || options.FetchMaxWait > TimeSpan.FromMinutes(1))
        {
            throw Invalid(nameof(ConsumerOptions.FetchMaxWait), $"must be between 0 and 1 minute (grain calls time out after 30 s by default), was {options.FetchMaxWait}");
        }

        if (options.BufferedFetchesPerPartition < 1 || options.BufferedFetchesPerPartition > 16)
        {
            throw Invalid(nameof(ConsumerOptions.BufferedFetchesPerPartition), $"must be between 1 and 16, was {options.BufferedFetchesPerPartition}");
        }

        if (options.RetryBackoff <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ConsumerOptions.RetryBackoff), $"must be positive, was {options.RetryBackoff}");
        }
    }

    private static ArgumentException Invalid(string option, string problem) =>
        new($"{nameof(ConsumerOptions)}.{option} {problem}.", option);
}
