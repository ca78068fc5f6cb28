namespace OrleansLog.Integration.Tests.Cluster;

/// <summary>
/// <see cref="ThreeNodeCluster"/> with replication timings shortened for tests: followers leave the ISR
/// after 5 s behind (Kafka's default is 30 s), leaders check their followers every 250 ms, and leadership
/// returns to the preferred replica 2 s after it is back in sync.
/// </summary>
public sealed class ReplicatedCluster() : ThreeNodeCluster(
    "--OrleansLog:ReplicaLagTime", "00:00:05",
    "--OrleansLog:ReplicationCheckInterval", "00:00:00.250",
    "--OrleansLog:FollowerCheckInterval", "00:00:01",
    "--OrleansLog:PreferredLeaderDelay", "00:00:02");
