namespace OrleansLog.Grains.Groups;

/// <summary>
/// Settings of the consumer-group coordinators (configuration section <c>OrleansLog:Groups</c>). The
/// defaults are Kafka's broker defaults except where a bound is needed that Kafka leaves open.
/// </summary>
public sealed class GroupCoordinatorOptions
{
    /// <summary>
    /// How long the first rebalance of an empty group waits for more members before completing, extended
    /// by each member that joins meanwhile up to the rebalance timeout (Kafka's
    /// <c>group.initial.rebalance.delay.ms</c>). Zero completes it as soon as the first member joins.
    /// Default 3 seconds.
    /// </summary>
    public TimeSpan InitialRebalanceDelay { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How often a coordinator with members compares the partition counts of the subscribed topics with
    /// those of the last assignment, and rebalances when a topic grew, appeared or disappeared (the
    /// consumer's <c>metadata.max.age.ms</c> does this in Kafka). Default 5 seconds.
    /// </summary>
    public TimeSpan MetadataRefreshInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The smallest session timeout a member may ask for (Kafka's <c>group.min.session.timeout.ms</c>). Default 6 seconds.</summary>
    public TimeSpan MinSessionTimeout { get; set; } = TimeSpan.FromSeconds(6);

    /// <summary>The largest session timeout a member may ask for (Kafka's <c>group.max.session.timeout.ms</c>). Default 30 minutes.</summary>
    public TimeSpan MaxSessionTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The most members one group admits; the next gets GroupMaxSizeReached (Kafka's <c>group.max.size</c>,
    /// unbounded there). Default 1000, so one group's membership and its assignment stay small.
    /// </summary>
    public int MaxGroupSize { get; set; } = 1000;

    /// <summary>The longest metadata string an offset commit may carry, in characters (Kafka's <c>offset.metadata.max.bytes</c>). Default 4096.</summary>
    public int MaxOffsetMetadataLength { get; set; } = 4096;
}
