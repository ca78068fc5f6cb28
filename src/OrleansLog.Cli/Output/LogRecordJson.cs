namespace OrleansLog.Cli.Output;

/// <summary>One record inside a <see cref="LogBatchJson"/>; key and value as UTF-8 text, null when null.</summary>
internal sealed record LogRecordJson(long Offset, long Timestamp, string? Key, string? Value);
