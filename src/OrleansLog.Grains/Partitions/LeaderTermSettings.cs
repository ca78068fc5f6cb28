namespace OrleansLog.Grains.Partitions;

/// <summary>The leader's preferred-replica hand-over (Kafka's auto.leader.rebalance.enable and its delay).</summary>
/// <param name="AutoLeaderRebalance">Whether leadership goes back to the preferred replica.</param>
/// <param name="PreferredLeaderDelay">How long the preferred replica must be in sync first.</param>
internal sealed record LeaderTermSettings(bool AutoLeaderRebalance, TimeSpan PreferredLeaderDelay);
