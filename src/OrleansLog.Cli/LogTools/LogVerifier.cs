namespace OrleansLog.Cli.LogTools;

/// <summary>
/// Checks every segment under a path as the broker's recovery would (Kafka <c>LogSegment.recover</c>):
/// each batch's framing, magic and CRC-32C, and that offsets run on without gaps or overlaps — from the
/// segment's name to its first batch, from batch to batch, and from one segment to the next — and each
/// segment's index files against its batches (<see cref="IndexVerifier"/>). It reports
/// every problem rather than stopping at the first, because an operator deciding what to truncate wants
/// the whole picture; it never changes a file.
/// </summary>
internal static class LogVerifier
{
    public static VerifyReport Verify(string path)
    {
        var report = new VerifyReport();
        foreach (PartitionSegments partition in LogLayout.Find(path))
        {
            report.Partitions++;
            VerifyPartition(partition, report);
        }

        return report;
    }

    private static void VerifyPartition(PartitionSegments partition, VerifyReport report)
    {
        // The offset the next batch must start at; null when unknown (no named segment yet, or after a
        // corrupt batch whose offsets cannot be trusted).
        long? expected = null;
        foreach (SegmentFile segment in partition.Segments)
        {
            report.Segments++;
            if (segment.BaseOffset is { } baseOffset)
            {
                if (expected is { } previousEnd && previousEnd != baseOffset)
                {
                    report.Problems.Add(new LogProblem(
                        segment.Path, 0, $"the segment's name says it starts at offset {baseOffset}, but the previous segment ends before offset {previousEnd}"));
                }

                expected = baseOffset;
            }

            var indexed = new List<IndexVerifier.IndexedBatch>();
            using var reader = new SegmentReader(segment.Path);
            while (reader.TryReadNext(out SegmentEntry entry))
            {
                if (!entry.Framed)
                {
                    report.Problems.Add(new LogProblem(segment.Path, entry.Position, entry.Problem!));
                    expected = null;
                    break;
                }

                report.Batches++;
                report.Bytes += entry.Size;
                if (!entry.IsValid)
                {
                    report.Problems.Add(new LogProblem(segment.Path, entry.Position, $"corrupt batch: {entry.Problem}"));
                    expected = null;
                    continue;
                }

                if (expected is { } offset && entry.Header.BaseOffset != offset)
                {
                    report.Problems.Add(new LogProblem(
                        segment.Path,
                        entry.Position,
                        $"baseOffset expected {offset} (the offset after the previous batch), actual {entry.Header.BaseOffset}"));
                }

                report.Records += entry.Header.RecordsCount;
                expected = entry.Header.NextOffset;
                indexed.Add(new IndexVerifier.IndexedBatch(entry.Position, entry.Header.LastOffset, entry.Header.MaxTimestamp));
            }

            if (segment.BaseOffset is { } indexBase)
            {
                report.IndexFiles += IndexVerifier.Verify(segment.Path, indexBase, new FileInfo(segment.Path).Length, indexed, report.Problems);
            }
        }
    }
}
