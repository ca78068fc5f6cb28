namespace OrleansLog.Client.Tests;

/// <summary>Protects early, named failure for bad consumer settings and the documented defaults.</summary>
public sealed class ConsumerOptionsValidatorTests
{
    public static TheoryData<string, Action<ConsumerOptions>> InvalidOptions => new()
    {
        { nameof(ConsumerOptions.AutoOffsetReset), o => o.AutoOffsetReset = (AutoOffsetReset)7 },
        { nameof(ConsumerOptions.MaxPartitionFetchBytes), o => o.MaxPartitionFetchBytes = 10 },
        { nameof(ConsumerOptions.FetchMinBytes), o => o.FetchMinBytes = -1 },
        { nameof(ConsumerOptions.FetchMinBytes), o => o.FetchMinBytes = 2 * 1024 * 1024 },
        { nameof(ConsumerOptions.FetchMaxWait), o => o.FetchMaxWait = TimeSpan.FromMinutes(2) },
        { nameof(ConsumerOptions.RequestTimeout), o => o.RequestTimeout = TimeSpan.Zero },
        { nameof(ConsumerOptions.BufferedFetchesPerPartition), o => o.BufferedFetchesPerPartition = 0 },
        { nameof(ConsumerOptions.RetryBackoff), o => o.RetryBackoff = TimeSpan.Zero },
        { nameof(ConsumerOptions.GroupId), o => o.GroupId = " " },
        { nameof(ConsumerOptions.GroupInstanceId), o => o.GroupInstanceId = string.Empty },
        { nameof(ConsumerOptions.SessionTimeout), o => o.SessionTimeout = TimeSpan.Zero },
        { nameof(ConsumerOptions.HeartbeatInterval), o => o.HeartbeatInterval = TimeSpan.FromSeconds(45) },
        { nameof(ConsumerOptions.MaxPollInterval), o => o.MaxPollInterval = TimeSpan.FromDays(30) },
        { nameof(ConsumerOptions.RebalanceTimeout), o => o.RebalanceTimeout = TimeSpan.FromSeconds(-1) },
        { nameof(ConsumerOptions.AutoCommitInterval), o => o.AutoCommitInterval = TimeSpan.Zero },
        { nameof(ConsumerOptions.PartitionAssignmentStrategy), o => o.PartitionAssignmentStrategy = [] },
        { nameof(ConsumerOptions.PartitionAssignmentStrategy), o => o.PartitionAssignmentStrategy = ["range", "range"] },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_NamesTheInvalidOption(string option, Action<ConsumerOptions> breakIt)
    {
        var options = new ConsumerOptions();
        breakIt(options);
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => ConsumerOptionsValidator.Validate(options));
        Assert.Equal(option, error.ParamName);
        Assert.Contains($"ConsumerOptions.{option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreValid_AndMatchKafka()
    {
        var options = new ConsumerOptions();
        ConsumerOptionsValidator.Validate(options);
        Assert.Equal(AutoOffsetReset.Latest, options.AutoOffsetReset);
        Assert.Equal(1024 * 1024, options.MaxPartitionFetchBytes);
        Assert.Equal(1, options.FetchMinBytes);
        Assert.Equal(TimeSpan.FromMilliseconds(500), options.FetchMaxWait);
        Assert.Equal(2, options.BufferedFetchesPerPartition);
    }

    [Fact]
    public void GroupDefaults_AreKafkasTimeouts_AndPreferTheCooperativeAssignor()
    {
        var options = new ConsumerOptions();
        Assert.Null(options.GroupId);
        Assert.Null(options.GroupInstanceId);
        Assert.Equal(TimeSpan.FromSeconds(45), options.SessionTimeout);
        Assert.Equal(TimeSpan.FromSeconds(3), options.HeartbeatInterval);
        Assert.Equal(TimeSpan.FromSeconds(300), options.MaxPollInterval);
        Assert.Equal(options.MaxPollInterval, options.EffectiveRebalanceTimeout);
        Assert.Equal(["cooperative-sticky", "range"], options.PartitionAssignmentStrategy);
        Assert.True(options.EnableAutoCommit);
        Assert.Equal(TimeSpan.FromSeconds(5), options.AutoCommitInterval);
    }

    [Fact]
    public void Clone_CopiesTheAssignorList_SoAFactorysDefaultsStayUntouched()
    {
        var defaults = new ConsumerOptions();
        ConsumerOptions copy = defaults.Clone();
        copy.PartitionAssignmentStrategy.Add("roundrobin");
        Assert.Equal(2, defaults.PartitionAssignmentStrategy.Count);
    }
}
