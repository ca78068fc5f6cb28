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

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > TimeSpan.FromMinutes(5))
        {
            throw Invalid(nameof(ConsumerOptions.RequestTimeout), $"must be positive and at most 5 minutes, was {options.RequestTimeout}");
        }

        if (options.BufferedFetchesPerPartition < 1 || options.BufferedFetchesPerPartition > 16)
        {
            throw Invalid(nameof(ConsumerOptions.BufferedFetchesPerPartition), $"must be between 1 and 16, was {options.BufferedFetchesPerPartition}");
        }

        if (options.RetryBackoff <= TimeSpan.Zero)
        {
            throw Invalid(nameof(ConsumerOptions.RetryBackoff), $"must be positive, was {options.RetryBackoff}");
        }

        ValidateGroup(options);
    }

    private static void ValidateGroup(ConsumerOptions options)
    {
        if (options.GroupId is { } groupId && string.IsNullOrWhiteSpace(groupId))
        {
            throw Invalid(nameof(ConsumerOptions.GroupId), "must be null (no group) or a non-blank name");
        }

        if (options.GroupInstanceId is { } instanceId && string.IsNullOrWhiteSpace(instanceId))
        {
            throw Invalid(nameof(ConsumerOptions.GroupInstanceId), "must be null (a dynamic member) or a non-blank name");
        }

        RequireMilliseconds(nameof(ConsumerOptions.SessionTimeout), options.SessionTimeout);
        RequireMilliseconds(nameof(ConsumerOptions.HeartbeatInterval), options.HeartbeatInterval);
        if (options.HeartbeatInterval >= options.SessionTimeout)
        {
            throw Invalid(
                nameof(ConsumerOptions.HeartbeatInterval),
                $"must be below {nameof(ConsumerOptions.SessionTimeout)} ({options.SessionTimeout}), was {options.HeartbeatInterval}");
        }

        RequireMilliseconds(nameof(ConsumerOptions.MaxPollInterval), options.MaxPollInterval);
        if (options.RebalanceTimeout is { } rebalanceTimeout)
        {
            RequireMilliseconds(nameof(ConsumerOptions.RebalanceTimeout), rebalanceTimeout);
        }

        RequireMilliseconds(nameof(ConsumerOptions.AutoCommitInterval), options.AutoCommitInterval);
        IList<string>? strategy = options.PartitionAssignmentStrategy;
        if (strategy is null || strategy.Count == 0)
        {
            throw Invalid(nameof(ConsumerOptions.PartitionAssignmentStrategy), "must name at least one assignor");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (string? assignor in strategy)
        {
            if (string.IsNullOrWhiteSpace(assignor) || !seen.Add(assignor))
            {
                throw Invalid(
                    nameof(ConsumerOptions.PartitionAssignmentStrategy),
                    $"must list distinct, non-blank assignor names, was [{string.Join(", ", strategy)}]");
            }
        }
    }

    /// <summary>Durations sent to the coordinator travel as int milliseconds, as in Kafka.</summary>
    private static void RequireMilliseconds(string option, TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(1) || value.TotalMilliseconds > int.MaxValue)
        {
            throw Invalid(option, $"must be between 1 ms and {int.MaxValue} ms, was {value}");
        }
    }

    private static ArgumentException Invalid(string option, string problem) =>
        new($"{nameof(ConsumerOptions)}.{option} {problem}.", option);
}
