namespace OrleansLog.Grains.Partitions;

/// <summary>Verdict of <see cref="ProducerStateTable.Check"/> on an incoming batch.</summary>
internal readonly record struct SequenceCheck(SequenceVerdict Verdict, ErrorCode Error, string? Message, ProducerBatch? Original)
{
    public static SequenceCheck Append() => new(SequenceVerdict.Append, ErrorCode.None, null, null);

    public static SequenceCheck Duplicate(ProducerBatch original) => new(SequenceVerdict.Duplicate, ErrorCode.None, null, original);

    public static SequenceCheck Reject(ErrorCode error, string message) => new(SequenceVerdict.Reject, error, message, null);
}
