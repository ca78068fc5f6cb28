namespace OrleansLog.Cli.Output;

/// <summary>
/// One line of <c>olog produce --print-metadata</c> for a record that failed: its input line, Kafka's error
/// name and the message.
/// </summary>
internal sealed record FailedRecordJson(long Line, string Error, string Message);
