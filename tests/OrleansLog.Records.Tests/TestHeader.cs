namespace OrleansLog.Records.Tests;

/// <summary>A record header as a string key and a nullable array, for the test model.</summary>
internal sealed record TestHeader(string Key, byte[]? Value)
{
    public RecordHeader ToRecordHeader() => new(Key, Value);

    public override string ToString() => $"{Key}={TestRecord.Describe(Value)}";
}
