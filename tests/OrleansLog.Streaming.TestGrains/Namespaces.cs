namespace OrleansLog.Streaming.TestGrains;

/// <summary>The stream namespaces the test grains subscribe to.</summary>
public static class Namespaces
{
    public const string Implicit = "implicit";
    public const string Second = "second";
    public const string Explicit = "explicit";
    public const string Raw = "raw";
    public const string Poison = "poison";
    public const string Bench = "bench";
    public const string Replay = "replay";
    public const string Kill = "kill";

    /// <summary>The topic <see cref="SinkSubscriberGrain"/> copies the events of namespace "kill" into.</summary>
    public const string SinkTopic = "kill-sink";
}
