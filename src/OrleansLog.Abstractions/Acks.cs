namespace OrleansLog;

/// <summary>
/// How many replicas must have a batch before the leader answers a produce request. The numbers are
/// Kafka's <c>acks</c> values (0, 1, -1) so they map one to one onto the wire protocol later.
/// </summary>
public enum Acks : short
{
    /// <summary>acks=0: the producer does not wait for the leader's answer.</summary>
    None = 0,

    /// <summary>acks=1: the leader answers after its local append.</summary>
    Leader = 1,

    /// <summary>acks=all: the leader answers once every in-sync replica has the batch.</summary>
    All = -1,
}
