namespace OrleansLog.Kafka.Protocol.Messages;

/// <summary>CreatePartitions (key 37): raises topics' partition counts.</summary>
[KafkaMessage(ApiKey.CreatePartitions, 0, 3, 2)]
public sealed class CreatePartitionsRequest
{
    [KafkaField(0)]
    public List<Topic> Topics { get; set; } = [];

    [KafkaField(1)]
    public int TimeoutMs { get; set; }

    [KafkaField(2)]
    public bool ValidateOnly { get; set; }

    public sealed class Topic
    {
        [KafkaField(0)]
        public string Name { get; set; } = string.Empty;

        /// <summary>The new total partition count.</summary>
        [KafkaField(1)]
        public int Count { get; set; }

        /// <summary>The new partitions' replicas; null for the broker's choice.</summary>
        [KafkaField(2, NullableVersions = "0+")]
        public List<Assignment>? Assignments { get; set; }
    }

    public sealed class Assignment
    {
        [KafkaField(0)]
        public List<int> BrokerIds { get; set; } = [];
    }
}
