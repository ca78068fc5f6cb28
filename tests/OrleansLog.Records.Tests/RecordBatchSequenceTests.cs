namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects walking concatenated batches as fetch responses and segment files hold them: every complete
/// batch is found at its position, and a partial or broken tail ends the walk quietly with the number of
/// bytes consumed, because Kafka fetches are allowed to end mid-batch.
/// </summary>
public sealed class RecordBatchSequenceTests
{
    private static readonly byte[][] Batches =
    [
        TestBatches.Build(TestBatches.SampleRecords(3)),
        TestBatches.Build(TestBatches.SampleRecords(10), CompressionType.Zstd),
        TestBatches.Build(TestBatches.SampleRecords(1), CompressionType.Gzip),
    ];

    [Fact]
    public void Enumerate_YieldsEachBatchWithItsPositionAndHeader()
    {
        byte[] buffer = [.. Batches[0], .. Batches[1], .. Batches[2]];

        var views = new List<RecordBatchView>();
        foreach (RecordBatchView view in RecordBatchSequence.Enumerate(buffer))
        {
            views.Add(view);
        }

        Assert.Equal(3, views.Count);
        Assert.Equal([0, Batches[0].Length, Batches[0].Length + Batches[1].Length], views.ConvertAll(v => v.Position));
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(Batches[i], views[i].Memory.ToArray());
            Assert.Equal(Batches[i].Length, views[i].Header.SizeInBytes);
            Assert.True(RecordBatchValidator.ValidateFraming(views[i].Memory.Span).IsValid);
        }
    }

    [Fact]
    public void Enumerate_StopsAtPartialTrailingBatch_AndReportsConsumedBytes()
    {
        byte[] buffer = [.. Batches[0], .. Batches[1], .. Batches[2][..40]];

        RecordBatchSequenceEnumerator walk = RecordBatchSequence.Enumerate(buffer);
        int count = 0;
        while (walk.MoveNext())
        {
            count++;
        }

        Assert.Equal(2, count);
        Assert.Equal(Batches[0].Length + Batches[1].Length, walk.ConsumedBytes);
        Assert.Equal(40, walk.RemainingBytes);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(11)]
    [InlineData(60)]
    public void Enumerate_StopsAtTailTooShortForAHeader(int tailLength)
    {
        byte[] buffer = [.. Batches[0], .. Batches[1][..tailLength]];

        RecordBatchSequenceEnumerator walk = RecordBatchSequence.Enumerate(buffer);

        Assert.True(walk.MoveNext());
        Assert.False(walk.MoveNext());
        Assert.Equal(tailLength, walk.RemainingBytes);
    }

    [Fact]
    public void Enumerate_StopsAtBatchLengthTooSmallForAHeader()
    {
        byte[] broken = (byte[])Batches[1].Clone();
        TestBatches.WriteInt32(broken, RecordBatchLayout.BatchLengthPosition, 10);
        byte[] buffer = [.. Batches[0], .. broken];

        RecordBatchSequenceEnumerator walk = RecordBatchSequence.Enumerate(buffer);

        Assert.True(walk.MoveNext());
        Assert.False(walk.MoveNext());
        Assert.Equal(Batches[0].Length, walk.ConsumedBytes);
    }

    [Fact]
    public void Enumerate_OfEmptyBuffer_YieldsNothing()
    {
        RecordBatchSequenceEnumerator walk = RecordBatchSequence.Enumerate(ReadOnlyMemory<byte>.Empty);

        Assert.False(walk.MoveNext());
        Assert.Equal(0, walk.RemainingBytes);
    }
}
