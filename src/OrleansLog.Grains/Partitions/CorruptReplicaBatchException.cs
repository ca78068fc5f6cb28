namespace OrleansLog.Grains.Partitions;

/// <summary>A batch a follower fetched does not match its CRC: damaged on the way (or on the leader's disk); nothing was appended.</summary>
internal sealed class CorruptReplicaBatchException(string message) : Exception(message);
