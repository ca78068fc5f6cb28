namespace OrleansLog.Cli.Output;

/// <summary>
/// One line of <c>olog produce --print-metadata</c>: where an acknowledged record landed. The offset is -1
/// when the broker does not report it (acks=none).
/// </summary>
internal sealed record ProducedRecordJson(int Partition, long Offset);
