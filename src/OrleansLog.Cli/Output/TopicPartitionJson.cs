namespace OrleansLog.Cli.Output;

/// <summary>A partition as <c>{"topic","partition"}</c>.</summary>
internal sealed record TopicPartitionJson(string Topic, int Partition);
