using System.Text;
using OrleansLog.Records;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>Builds RecordBatch v2 payloads the way a producer does, for tests that call grains directly.</summary>
internal static class Batches
{
    public static RecordBatchPayload Of(params string[] values) => Of(producerId: -1, epoch: -1, baseSequence: -1, values);

    public static RecordBatchPayload Of(long producerId, short epoch, int baseSequence, params string[] values)
    {
        using var builder = new RecordBatchBuilder(CompressionType.None, 1024 * 1024);
        if (producerId >= 0)
        {
            builder.SetProducerState(producerId, epoch, baseSequence);
        }

        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (string value in values)
        {
            builder.TryAppend(now, null, Encoding.UTF8.GetBytes(value));
        }

        return new RecordBatchPayload(builder.SealToArray());
    }

    /// <summary>Every record value in a fetch result, with its offset, in order.</summary>
    public static List<(long Offset, string Value)> Values(FetchResult fetch)
    {
        var result = new List<(long, string)>();
        byte[] bytes = fetch.Records.ToArray();
        fetch.Records.Dispose();
        var batches = RecordBatchSequence.Enumerate(bytes);
        while (batches.MoveNext())
        {
            using RecordBatchReader reader = RecordBatch.EnumerateRecords(batches.Current.Memory);
            while (reader.MoveNext())
            {
                Record record = reader.Current;
                result.Add((record.Offset, Encoding.UTF8.GetString(record.Value.Span)));
            }
        }

        return result;
    }
}
