using System.Buffers.Binary;
using OrleansLog.Grains.Partitions;
using OrleansLog.Records;
using Xunit;

namespace OrleansLog.Grains.Tests;

/// <summary>
/// Protects idempotent-producer deduplication (Kafka's rules): a retried batch is recognised among the
/// last five, a sequence gap is OutOfOrderSequenceNumber, an older epoch is InvalidProducerEpoch, a new
/// epoch must start at sequence 0, and the table rebuilt from stored headers behaves the same.
/// </summary>
public sealed class ProducerStateTableTests
{
    [Fact]
    public void NonIdempotentBatches_AreAlwaysAppended()
    {
        var table = new ProducerStateTable();
        RecordBatchHeader plain = Header(-1, -1, -1, records: 3);
        Assert.Equal(SequenceVerdict.Append, table.Check(plain).Verdict);
        table.Record(plain, 0, 1, null);
        Assert.Equal(SequenceVerdict.Append, table.Check(plain).Verdict);
        Assert.Equal(0, table.ProducerCount);
    }

    [Fact]
    public void RetryOfAnyOfTheLastFiveBatches_IsADuplicate_WithItsOriginalOffsets()
    {
        var table = new ProducerStateTable();
        for (int i = 0; i < 6; i++)
        {
            RecordBatchHeader batch = Header(7, 0, i * 2, records: 2);
            Assert.Equal(SequenceVerdict.Append, table.Check(batch).Verdict);
            table.Record(batch, baseOffset: 100 + (i * 2), logAppendTimeMs: i, completion: null);
        }

        SequenceCheck retry = table.Check(Header(7, 0, 4, records: 2));
        Assert.Equal(SequenceVerdict.Duplicate, retry.Verdict);
        Assert.Equal((104L, 105L), (retry.Original!.BaseOffset, retry.Original.LastOffset));

        // The first batch fell out of the window of five: its retry looks like a sequence error.
        SequenceCheck tooOld = table.Check(Header(7, 0, 0, records: 2));
        Assert.Equal(SequenceVerdict.Reject, tooOld.Verdict);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, tooOld.Error);
    }

    [Fact]
    public void SequenceGap_IsOutOfOrderSequenceNumber_NamingExpectedAndActual()
    {
        var table = new ProducerStateTable();
        RecordBatchHeader first = Header(3, 0, 0, records: 5);
        table.Record(first, 0, 0, null);

        SequenceCheck gap = table.Check(Header(3, 0, 9, records: 1));

        Assert.Equal((SequenceVerdict.Reject, ErrorCode.OutOfOrderSequenceNumber), (gap.Verdict, gap.Error));
        Assert.Contains("expected 5, actual 9", gap.Message, StringComparison.Ordinal);
        Assert.Equal(SequenceVerdict.Append, table.Check(Header(3, 0, 5, records: 1)).Verdict);
    }

    [Fact]
    public void IsAhead_OnlyForAKnownProducersLaterSequenceInTheSameEpoch()
    {
        var table = new ProducerStateTable();
        table.Record(Header(5, 0, 0, records: 3), 0, 0, null);

        Assert.True(table.IsAhead(Header(5, 0, 6, records: 1)));
        Assert.False(table.IsAhead(Header(5, 0, 3, records: 1)), "the expected sequence is not ahead");
        Assert.False(table.IsAhead(Header(5, 0, 1, records: 1)), "an older sequence is not ahead");
        Assert.False(table.IsAhead(Header(5, 1, 6, records: 1)), "another epoch is not ahead");
        Assert.False(table.IsAhead(Header(6, 0, 6, records: 1)), "an unknown producer is not ahead");
    }

    [Fact]
    public void OlderEpoch_IsFenced_AndNewEpochMustStartAtZero()
    {
        var table = new ProducerStateTable();
        table.Record(Header(9, 2, 0, records: 1), 0, 0, null);

        Assert.Equal(ErrorCode.InvalidProducerEpoch, table.Check(Header(9, 1, 1, records: 1)).Error);
        Assert.Equal(ErrorCode.OutOfOrderSequenceNumber, table.Check(Header(9, 3, 4, records: 1)).Error);
        Assert.Equal(SequenceVerdict.Append, table.Check(Header(9, 3, 0, records: 1)).Verdict);
    }

    [Fact]
    public void Replay_FromStoredHeaders_RecognisesRetriesAfterRestart()
    {
        var table = new ProducerStateTable();
        RecordBatchHeader stored = Header(11, 0, 0, records: 4) with { BaseOffset = 40 };

        table.Replay(stored);

        SequenceCheck retry = table.Check(Header(11, 0, 0, records: 4));
        Assert.Equal(SequenceVerdict.Duplicate, retry.Verdict);
        Assert.Equal(40, retry.Original!.BaseOffset);
        Assert.Equal(SequenceVerdict.Append, table.Check(Header(11, 0, 4, records: 1)).Verdict);
    }

    private static RecordBatchHeader Header(long producerId, short epoch, int baseSequence, int records)
    {
        byte[] bytes = new byte[RecordBatchLayout.HeaderSize];
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.LastOffsetDeltaPosition), records - 1);
        BinaryPrimitives.WriteInt64BigEndian(bytes.AsSpan(RecordBatchLayout.ProducerIdPosition), producerId);
        BinaryPrimitives.WriteInt16BigEndian(bytes.AsSpan(RecordBatchLayout.ProducerEpochPosition), epoch);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.BaseSequencePosition), baseSequence);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(RecordBatchLayout.RecordsCountPosition), records);
        bytes[RecordBatchLayout.MagicPosition] = RecordBatchLayout.CurrentMagic;
        return RecordBatchHeader.Read(bytes);
    }
}
