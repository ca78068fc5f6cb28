using System.Text;
using OrleansLog.Records;

namespace OrleansLog.Cli.Tests.Support;

/// <summary>
/// Writes segment files the way the broker does: RecordBatch v2 batches built by the real
/// <see cref="RecordBatchBuilder"/>, base offsets stamped in place, concatenated in a <c>{baseOffset:D20}.log</c>.
/// </summary>
internal static class TestSegments
{
    public const long FirstTimestamp = 1_700_000_000_000;

    /// <summary>A batch at <paramref name="baseOffset"/> with one record per value (keys null unless given as "key=value").</summary>
    public static byte[] Batch(long baseOffset, params string?[] records) => Batch(baseOffset, CompressionType.None, records);

    public static byte[] Batch(long baseOffset, CompressionType compression, params string?[] records)
    {
        using var builder = new RecordBatchBuilder(compression, int.MaxValue);
        long timestamp = FirstTimestamp + baseOffset;
        foreach (string? record in records)
        {
            (byte[]? key, byte[]? value) = Split(record);
            Assert.True(builder.TryAppend(timestamp++, key, value));
        }

        byte[] batch = builder.SealToArray();
        RecordBatchHeader.WriteBaseOffset(batch, baseOffset);
        return batch;
    }

    public static string Write(string directory, long baseOffset, params byte[][] batches)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, $"{baseOffset:D20}.log");
        using FileStream file = File.Create(path);
        foreach (byte[] batch in batches)
        {
            file.Write(batch);
        }

        return path;
    }

    /// <summary>Flips every bit of one byte, as a failing disk might.</summary>
    public static void CorruptByte(string path, long position)
    {
        using FileStream file = File.Open(path, FileMode.Open, FileAccess.ReadWrite);
        file.Position = position;
        int original = file.ReadByte();
        file.Position = position;
        file.WriteByte((byte)~original);
    }

    private static (byte[]? Key, byte[]? Value) Split(string? record)
    {
        if (record is null)
        {
            return (null, null);
        }

        int equals = record.IndexOf('=', StringComparison.Ordinal);
        return equals < 0
            ? (null, Encoding.UTF8.GetBytes(record))
            : (Encoding.UTF8.GetBytes(record[..equals]), Encoding.UTF8.GetBytes(record[(equals + 1)..]));
    }
}
