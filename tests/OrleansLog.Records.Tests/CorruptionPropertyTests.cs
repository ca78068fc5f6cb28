using CsCheck;

namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the promise that storage and the broker never accept silently damaged bytes: any single
/// flipped byte anywhere a reader depends on is detected, for every codec. CsCheck picks a fresh seed
/// each run and prints it on failure; replay with <c>seed:</c> or the CsCheck_Seed environment variable.
/// </summary>
public sealed class CorruptionPropertyTests
{
    private static readonly Gen<byte[]> Batch =
        Gen.Select(Gen.Int[1, 40], Gen.OneOf(TestBatches.AllCodecs))
            .Select((count, codec) => TestBatches.Build(TestBatches.SampleRecords(count), codec));

    [Fact]
    public void FlippingAnyByteInTheCrcCoveredRegion_IsAlwaysDetected()
    {
        Gen.Select(Batch, Gen.Int[0, int.MaxValue], Gen.Byte[1, 255]).Sample((batch, where, mask) =>
        {
            int position = RecordBatchLayout.CrcCoveredStart + (where % (batch.Length - RecordBatchLayout.CrcCoveredStart));
            batch[position] ^= mask;

            BatchValidationResult full = RecordBatchValidator.Validate(batch, int.MaxValue);
            BatchValidationResult framing = RecordBatchValidator.ValidateFraming(batch);

            Assert.True(full.Error == ErrorCode.CorruptMessage, $"flip 0x{mask:X2} at {position}: {full.Error} {full.Message}");
            Assert.Contains("crc expected", full.Message, StringComparison.Ordinal);
            Assert.Equal(ErrorCode.CorruptMessage, framing.Error);
        }, iter: 1000);
    }

    [Fact]
    public void FlippingAnyByteOfBatchLengthMagicOrCrc_IsAlwaysDetected()
    {
        Gen.Select(Batch, Gen.Int[8, 20], Gen.Byte[1, 255]).Sample((batch, position, mask) =>
        {
            if (position is >= RecordBatchLayout.PartitionLeaderEpochPosition and < RecordBatchLayout.MagicPosition)
            {
                position = RecordBatchLayout.MagicPosition; // the epoch is stamped by the leader, not protected
            }

            batch[position] ^= mask;

            Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.ValidateFraming(batch).Error);
            Assert.Equal(ErrorCode.CorruptMessage, RecordBatchValidator.Validate(batch, int.MaxValue).Error);
        }, iter: 500);
    }
}
