using Microsoft.Extensions.Options;
using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>Protects start-up validation: every bad option is named with its rule and value, and Open refuses it.</summary>
public sealed class PartitionLogOptionsValidatorTests
{
    [Fact]
    public void Defaults_AreValid_AndMatchKafka()
    {
        var options = new PartitionLogOptions();
        Assert.True(new PartitionLogOptionsValidator().Validate(null, options).Succeeded);
        Assert.Equal(
            (1 << 30, 7L * 24 * 3600 * 1000, 4096, 7L * 24 * 3600 * 1000, -1L, FlushPolicy.None, 10 * 1024 * 1024),
            (options.SegmentBytes, options.SegmentMs, options.IndexIntervalBytes, options.RetentionMs, options.RetentionBytes, options.FlushPolicy, options.MaxIndexBytes));
    }

    [Theory]
    [InlineData(nameof(PartitionLogOptions.SegmentBytes), "PartitionLogOptions.SegmentBytes must be ≥ 1024, was 5.")]
    [InlineData(nameof(PartitionLogOptions.SegmentMs), "PartitionLogOptions.SegmentMs must be ≥ 1, was 0.")]
    [InlineData(nameof(PartitionLogOptions.IndexIntervalBytes), "PartitionLogOptions.IndexIntervalBytes must be ≥ 0, was -1.")]
    [InlineData(nameof(PartitionLogOptions.RetentionMs), "PartitionLogOptions.RetentionMs must be ≥ -1, was -2.")]
    [InlineData(nameof(PartitionLogOptions.RetentionBytes), "PartitionLogOptions.RetentionBytes must be ≥ -1, was -2.")]
    [InlineData(nameof(PartitionLogOptions.FlushIntervalMs), "PartitionLogOptions.FlushIntervalMs must be ≥ 1, was 0.")]
    [InlineData(nameof(PartitionLogOptions.MaxIndexBytes), "PartitionLogOptions.MaxIndexBytes must be ≥ 12, was 11.")]
    [InlineData(nameof(PartitionLogOptions.FlushPolicy), "PartitionLogOptions.FlushPolicy must be None, Interval or Always, was 9.")]
    public void InvalidOption_IsNamed_AndOpenRefusesIt(string option, string message)
    {
        var options = new PartitionLogOptions();
        switch (option)
        {
            case nameof(PartitionLogOptions.SegmentBytes): options.SegmentBytes = 5; break;
            case nameof(PartitionLogOptions.SegmentMs): options.SegmentMs = 0; break;
            case nameof(PartitionLogOptions.IndexIntervalBytes): options.IndexIntervalBytes = -1; break;
            case nameof(PartitionLogOptions.RetentionMs): options.RetentionMs = -2; break;
            case nameof(PartitionLogOptions.RetentionBytes): options.RetentionBytes = -2; break;
            case nameof(PartitionLogOptions.FlushIntervalMs): options.FlushIntervalMs = 0; break;
            case nameof(PartitionLogOptions.MaxIndexBytes): options.MaxIndexBytes = 11; break;
            case nameof(PartitionLogOptions.FlushPolicy): options.FlushPolicy = (FlushPolicy)9; break;
        }

        ValidateOptionsResult result = new PartitionLogOptionsValidator().Validate(null, options);
        Assert.Equal([message], result.Failures);

        using var temp = new TempDirectory();
        using var scheduler = new CommitScheduler();
        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => PartitionLog.Open(temp.Partition(), options, scheduler));
        Assert.Contains(message, refused.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(temp.Partition()));
    }
}
