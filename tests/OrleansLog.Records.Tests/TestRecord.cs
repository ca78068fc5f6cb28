namespace OrleansLog.Records.Tests;

/// <summary>A record as plain arrays, the model the round-trip tests compare against.</summary>
internal sealed record TestRecord(long Timestamp, byte[]? Key, byte[]? Value, TestHeader[] Headers)
{
    public override string ToString() =>
        $"ts {Timestamp}, key {Describe(Key)}, value {Describe(Value)}, headers [{string.Join(", ", (IEnumerable<TestHeader>)Headers)}]";

    internal static string Describe(byte[]? bytes) => bytes is null ? "null" : Convert.ToHexString(bytes);
}
