using System.Globalization;
using System.Text;
using OrleansLog.Cli.Arguments;
using OrleansLog.Cli.Output;
using OrleansLog.Records;

namespace OrleansLog.Cli.LogTools;

/// <summary>
/// Prints the batches of segment files, one line each (Kafka's <c>kafka-dump-log.sh</c>): offsets,
/// position, size, record count, max timestamp, codec and whether the CRC holds; with records, one line
/// per record below its batch. In JSON, one <see cref="LogBatchJson"/> per line. Damage is shown, not
/// fatal: a corrupt batch is printed as CORRUPT with the reason and the walk goes on where it can.
/// </summary>
internal sealed class LogDumper(TextWriter output, bool json, bool includeRecords) : IDisposable
{
    private readonly RecordBatchReader _records = new();

    public void Dump(string path)
    {
        foreach (PartitionSegments partition in LogLayout.Find(path))
        {
            foreach (SegmentFile segment in partition.Segments)
            {
                DumpSegment(segment.Path);
            }
        }
    }

    public void Dispose() => _records.Dispose();

    private void DumpSegment(string path)
    {
        if (!json)
        {
            output.WriteLine($"Dumping {path}");
        }

        using var reader = new SegmentReader(path);
        while (reader.TryReadNext(out SegmentEntry entry))
        {
            if (json)
            {
                output.WriteLine(CliJson.Serialize(ToJson(path, entry)));
            }
            else
            {
                WriteText(entry);
            }
        }
    }

    private void WriteText(SegmentEntry entry)
    {
        if (!entry.Framed)
        {
            output.WriteLine(Invariant($"position: {entry.Position} CORRUPT: {entry.Problem}"));
            return;
        }

        RecordBatchHeader h = entry.Header;
        string crc = entry.IsValid ? "ok" : $"CORRUPT: {entry.Problem}";
        output.WriteLine(Invariant(
            $"baseOffset: {h.BaseOffset} lastOffset: {h.LastOffset} count: {h.RecordsCount} position: {entry.Position} size: {entry.Size} maxTimestamp: {h.MaxTimestamp} compression: {ChoiceArguments.CompressionName(h.Compression)} crc: {crc}"));
        if (!includeRecords || !entry.IsValid)
        {
            return;
        }

        try
        {
            _records.Reset(entry.Bytes);
            while (_records.TryReadNext(out Record record))
            {
                output.WriteLine(Invariant(
                    $"| offset: {record.Offset} timestamp: {record.Timestamp} key: {Text(record.Key, record.KeyIsNull) ?? "null"} value: {Text(record.Value, record.ValueIsNull) ?? "null"}"));
            }
        }
        catch (InvalidRecordBatchException ex)
        {
            output.WriteLine($"| records CORRUPT: {ex.Message}");
        }
    }

    private LogBatchJson ToJson(string path, SegmentEntry entry)
    {
        if (!entry.Framed)
        {
            return new LogBatchJson(path, entry.Position, null, null, null, null, null, null, "CORRUPT", entry.Problem, null);
        }

        RecordBatchHeader h = entry.Header;
        string? problem = entry.Problem;
        List<LogRecordJson>? records = null;
        if (includeRecords && entry.IsValid)
        {
            records = [];
            try
            {
                _records.Reset(entry.Bytes);
                while (_records.TryReadNext(out Record record))
                {
                    records.Add(new LogRecordJson(record.Offset, record.Timestamp, Text(record.Key, record.KeyIsNull), Text(record.Value, record.ValueIsNull)));
                }
            }
            catch (InvalidRecordBatchException ex)
            {
                problem = $"records: {ex.Message}";
            }
        }

        return new LogBatchJson(
            path,
            entry.Position,
            h.BaseOffset,
            h.LastOffset,
            (int)entry.Size,
            h.RecordsCount,
            h.MaxTimestamp,
            ChoiceArguments.CompressionName(h.Compression),
            entry.IsValid ? "ok" : "CORRUPT",
            problem,
            records);
    }

    private static string? Text(ReadOnlyMemory<byte> bytes, bool isNull) => isNull ? null : Encoding.UTF8.GetString(bytes.Span);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
