using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansLog.Grains.Hosting;
using OrleansLog.Grains.Logs;
using OrleansLog.Storage;
using Xunit;

namespace OrleansLog.Grains.Tests;

/// <summary>
/// Protects the configuration of logs that stay open across a change of role: a log first opened by the
/// follower (or before the topic was altered) runs the topic's current retention and flush policy as soon as
/// its next user — a new leader after a failover — asks for it with that configuration.
/// </summary>
public sealed class LogManagerConfigurationTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "olog-lm-" + Guid.NewGuid().ToString("N")[..8]);
    private readonly LogManager _logs;

    public LogManagerConfigurationTests() =>
        _logs = new LogManager(Options.Create(new OrleansLogOptions { DataDirectory = _directory }), TimeProvider.System, NullLoggerFactory.Instance);

    [Fact]
    public async Task ALogOpenedUnderAnOldConfiguration_TakesTheNewOneOnItsNextOpen()
    {
        var partition = new TopicPartition("t", 0);
        var old = new TopicConfig { RetentionMs = 60_000 };
        var current = new TopicConfig { RetentionMs = 7L * 24 * 3600 * 1000, FlushMessages = 1 };

        // 1. The follower opens the log with the configuration of its day.
        PartitionLog followed = (await _logs.GetOrOpenAsync(partition, old, Guid.Empty, TestContext.Current.CancellationToken)).Log;
        Assert.Equal(60_000, followed.Options.RetentionMs);

        // 2. The topic was altered meanwhile; the new leader opens the same log with the current one.
        PartitionLog led = (await _logs.GetOrOpenAsync(partition, current, Guid.Empty, TestContext.Current.CancellationToken)).Log;

        Assert.Same(followed, led);
        Assert.Equal(current.RetentionMs, led.Options.RetentionMs);
        Assert.Equal(FlushPolicy.Always, led.Options.FlushPolicy);
    }

    [Fact]
    public async Task AlteringAnOpenLog_AppliesAtOnce_AndReopeningWithTheSameConfigurationChangesNothing()
    {
        var partition = new TopicPartition("t", 1);
        PartitionLog log = (await _logs.GetOrOpenAsync(partition, new TopicConfig(), Guid.Empty, TestContext.Current.CancellationToken)).Log;
        var altered = new TopicConfig { RetentionBytes = 4096 };

        _logs.Reconfigure(partition, altered);
        PartitionLogOptions applied = log.Options;
        await _logs.GetOrOpenAsync(partition, altered, Guid.Empty, TestContext.Current.CancellationToken);

        Assert.Equal(4096, log.Options.RetentionBytes);
        Assert.Same(applied, log.Options);
    }

    public void Dispose()
    {
        _logs.Dispose();
        Directory.Delete(_directory, recursive: true);
    }
}
