using CsCheck;

namespace OrleansLog.Records.Tests;

/// <summary>
/// Protects the build → validate → read cycle over random records: random keys, values and headers
/// (null, empty, non-ASCII header keys), random and unordered timestamps, every codec and random
/// producer state. CsCheck picks a fresh seed each run and prints it on failure; replay a failure with
/// <c>seed:</c> on the Sample call or the CsCheck_Seed environment variable.
/// </summary>
public sealed class RoundTripPropertyTests
{
    private static readonly Gen<string> HeaderKey =
        Gen.OneOf(Gen.Char.AlphaNumeric, Gen.Char['\u00C0', '\u04FF']).Array[0, 12].Select(chars => new string(chars));

    private static readonly Gen<TestHeader> Header =
        Gen.Select(HeaderKey, Gen.Byte.Array[0, 16].Null(0.3), (key, value) => new TestHeader(key, value));

    private static readonly Gen<TestRecord> RecordGen =
        Gen.Select(
            Gen.Long[0, 1L << 44],
            Gen.Byte.Array[0, 40].Null(0.2),
            Gen.Byte.Array[0, 300].Null(0.1),
            Header.Array[0, 4],
            (timestamp, key, value, headers) => new TestRecord(timestamp, key, value, headers));

    private static readonly Gen<CompressionType> Codec = Gen.OneOf(TestBatches.AllCodecs);

    [Fact]
    public void RandomBatches_ValidateAndReadBackEqual()
    {
        Gen.Select(RecordGen.Array[1, 60], Codec).Sample((records, codec) =>
        {
            byte[] batch = TestBatches.Build(records, codec);

            BatchValidationResult result = RecordBatchValidator.Validate(batch, int.MaxValue);
            Assert.True(result.IsValid, result.Message);

            TestBatches.AssertSameRecords(records, TestBatches.ReadAll(batch));
        }, iter: 300);
    }

    [Fact]
    public void RandomProducerState_SurvivesInTheHeader()
    {
        Gen.Select(Gen.Long[0, long.MaxValue], Gen.Short[0, short.MaxValue], Gen.Int[0, int.MaxValue], Codec)
            .Sample((producerId, epoch, sequence, codec) =>
            {
                using var builder = new RecordBatchBuilder(codec);
                builder.SetProducerState(producerId, epoch, sequence);
                Assert.True(builder.TryAppend(1, null, [1, 2, 3]));

                RecordBatchHeader header = RecordBatchValidator.Validate(builder.Seal().Span, int.MaxValue).Header;

                Assert.Equal((producerId, epoch, sequence), (header.ProducerId, header.ProducerEpoch, header.BaseSequence));
            });
    }

    [Fact]
    public void ReusedBuilder_ProducesTheSameBytesAsAFreshOne()
    {
        using var reused = new RecordBatchBuilder(CompressionType.None, int.MaxValue);
        Gen.Select(RecordGen.Array[1, 20], Codec).Sample((records, codec) =>
        {
            byte[] fresh = TestBatches.Build(records, codec);

            lock (reused)
            {
                reused.Reset(codec);
                foreach (TestRecord record in records)
                {
                    Assert.True(reused.TryAppend(record.Timestamp, record.Key, record.Value, Array.ConvertAll(record.Headers, h => h.ToRecordHeader())));
                }

                Assert.Equal(Convert.ToHexString(fresh), Convert.ToHexString(reused.Seal().Span));
            }
        });
    }
}
