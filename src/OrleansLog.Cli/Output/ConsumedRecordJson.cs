using System.Text;
using OrleansLog.Client;

namespace OrleansLog.Cli.Output;

/// <summary>
/// One record of <c>olog consume --format json</c>. Key and value are decoded as UTF-8 (bytes that are not
/// UTF-8 become U+FFFD) and are null when the record's key or value is null; the timestamp is Unix ms.
/// </summary>
internal sealed record ConsumedRecordJson(string Topic, int Partition, long Offset, long Timestamp, string? Key, string? Value)
{
    public static ConsumedRecordJson From(ConsumeResult record) => new(
        record.Topic,
        record.Partition,
        record.Offset,
        record.Timestamp.ToUnixTimeMilliseconds(),
        Decode(record.Key),
        Decode(record.Value));

    private static string? Decode(byte[]? bytes) => bytes is null ? null : Encoding.UTF8.GetString(bytes);
}
