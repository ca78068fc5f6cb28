using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>
/// Protects the high watermark checkpoint (<c>replication-offset-checkpoint</c>): it survives a crash in
/// Kafka's format, reads within the log's offsets, counts as the log start when missing or malformed, and
/// comes down with a truncation so it never covers records appended after the cut.
/// </summary>
public sealed class HighWatermarkCheckpointTests
{
    [Fact]
    public async Task Checkpoint_SurvivesACrash_InKafkasFormat()
    {
        using var harness = new LogHarness();
        PartitionLog log = await OpenWithTenRecordsAsync(harness);

        log.CheckpointHighWatermark(7);
        Assert.Equal(7, log.CheckpointedHighWatermark);
        log.Abandon();

        Assert.Equal("0\n1\norders 0 7\n", File.ReadAllText(Path.Combine(harness.Directory, LogFileNames.HighWatermarkCheckpoint)));
        using PartitionLog reopened = harness.Open();
        Assert.Equal(7, reopened.CheckpointedHighWatermark);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("0\n1\nnot a checkpoint\n")]
    public async Task MissingOrMalformedCheckpoint_ReadsAsTheLogStart(string? content)
    {
        using var harness = new LogHarness();
        PartitionLog log = await OpenWithTenRecordsAsync(harness);

        log.DeleteRecordsBefore(4);
        log.Dispose();
        if (content is not null)
        {
            File.WriteAllText(Path.Combine(harness.Directory, LogFileNames.HighWatermarkCheckpoint), content);
        }

        using PartitionLog reopened = harness.Open();
        Assert.Equal(4, reopened.CheckpointedHighWatermark);
    }

    [Fact]
    public async Task Truncation_BelowTheCheckpoint_LowersIt_SoLaterAppendsAreNotCovered()
    {
        using var harness = new LogHarness();
        PartitionLog log = await OpenWithTenRecordsAsync(harness);

        log.CheckpointHighWatermark(8);
        Assert.Equal(6, log.TruncateTo(6));
        Assert.Equal(6, log.CheckpointedHighWatermark);

        for (int i = 0; i < 3; i++)
        {
            await harness.AppendAsync(log, records: 2, epoch: 1);
        }

        Assert.Equal(12, log.LogEndOffset);
        Assert.Equal(6, log.CheckpointedHighWatermark);
        log.Abandon();
        using PartitionLog reopened = harness.Open();
        Assert.Equal(6, reopened.CheckpointedHighWatermark);
    }

    /// <summary>A log holding offsets [0, 10) in five batches of two.</summary>
    private static async Task<PartitionLog> OpenWithTenRecordsAsync(LogHarness harness)
    {
        PartitionLog log = harness.Open();
        for (int i = 0; i < 5; i++)
        {
            await harness.AppendAsync(log, records: 2);
        }

        return log;
    }
}
