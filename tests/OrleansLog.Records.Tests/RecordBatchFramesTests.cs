namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the strict frame walk over a buffer that a follower runs on what its leader sent: every batch is
/// found with its header and bytes; the walk stops at the first damaged batch (CRC, magic, a length past the
/// end) naming where and what, and says EndOfData only when the whole buffer was whole batches.
/// </summary>
public sealed class RecordBatchFramesTests
{
    private static readonly byte[] First = TestBatches.Build(TestBatches.SampleRecords(3));
    private static readonly byte[] Second = TestBatches.Build(TestBatches.SampleRecords(2), CompressionType.Zstd);

    [Fact]
    public void WholeBatches_AreWalkedInOrder_AndTheWalkEndsAtEndOfData()
    {
        byte[] buffer = [.. First, .. Second];
        var frames = new RecordBatchFrames(buffer, verifyCrc: true);
        var positions = new List<int>();
        var counts = new List<int>();

        while (frames.MoveNext())
        {
            positions.Add(frames.Position);
            counts.Add(frames.Header.RecordsCount);
            Assert.Equal(frames.Header.SizeInBytes, frames.Batch.Length);
        }

        Assert.Equal([0, First.Length], positions);
        Assert.Equal([3, 2], counts);
        Assert.Equal(BatchFrameStatus.EndOfData, frames.Status);
        Assert.Null(frames.Detail);
    }

    [Fact]
    public void ADamagedBatch_StopsTheWalkThere_NamingTheCrcs()
    {
        byte[] damaged = [.. Second];
        damaged[^1] ^= 0xFF;
        byte[] buffer = [.. First, .. damaged];
        var frames = new RecordBatchFrames(buffer, verifyCrc: true);

        Assert.True(frames.MoveNext());
        Assert.False(frames.MoveNext());

        Assert.Equal(BatchFrameStatus.CrcMismatch, frames.Status);
        Assert.Equal(First.Length, frames.Position);
        Assert.Contains("CRC-32C mismatch", frames.Detail);
        var withoutCrc = new RecordBatchFrames(buffer, verifyCrc: false);
        Assert.True(withoutCrc.MoveNext() && withoutCrc.MoveNext(), "without CRC checks the damaged batch is framed right");
    }

    [Fact]
    public void APartialOrBadlyFramedTail_IsNotEndOfData()
    {
        byte[] partial = [.. First, .. Second.AsSpan(0, Second.Length - 1)];
        var frames = new RecordBatchFrames(partial, verifyCrc: false);
        while (frames.MoveNext())
        {
        }

        Assert.Equal(BatchFrameStatus.LengthPastEnd, frames.Status);
        Assert.Equal(First.Length, frames.Position);

        byte[] badMagic = [.. First];
        badMagic[RecordBatchLayout.MagicPosition] = 7;
        var magic = new RecordBatchFrames(badMagic, verifyCrc: false);
        Assert.False(magic.MoveNext());
        Assert.Equal(BatchFrameStatus.InvalidMagic, magic.Status);
        Assert.Contains("magic is 7", magic.Detail);
    }
}
