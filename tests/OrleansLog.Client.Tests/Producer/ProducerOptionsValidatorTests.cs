namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects early, named failure for bad producer settings: each invalid value throws an ArgumentException
/// whose ParamName and message name the option, and the documented defaults are valid.
/// </summary>
public sealed class ProducerOptionsValidatorTests
{
    public static TheoryData<string, Action<ProducerOptions>> InvalidOptions => new()
    {
        { nameof(ProducerOptions.Acks), o => o.Acks = (Acks)5 },
        { nameof(ProducerOptions.Acks), o => o.Acks = Acks.None },
        { nameof(ProducerOptions.Linger), o => o.Linger = TimeSpan.FromMilliseconds(-1) },
        { nameof(ProducerOptions.BatchBytes), o => o.BatchBytes = 100 },
        { nameof(ProducerOptions.BatchBytes), o => o.BatchBytes = 2 * 1024 * 1024 },
        { nameof(ProducerOptions.MaxRequestBytes), o => o.MaxRequestBytes = 10 },
        { nameof(ProducerOptions.BufferMemoryBytes), o => o.BufferMemoryBytes = 1000 },
        { nameof(ProducerOptions.MaxInFlightPerPartition), o => o.MaxInFlightPerPartition = 0 },
        { nameof(ProducerOptions.MaxInFlightPerPartition), o => o.MaxInFlightPerPartition = 6 },
        { nameof(ProducerOptions.RetryBackoff), o => o.RetryBackoff = TimeSpan.Zero },
        { nameof(ProducerOptions.RetryBackoffMax), o => o.RetryBackoffMax = TimeSpan.FromMilliseconds(10) },
        { nameof(ProducerOptions.DeliveryTimeout), o => o.DeliveryTimeout = TimeSpan.FromMilliseconds(5) },
        { nameof(ProducerOptions.RequestTimeout), o => o.RequestTimeout = TimeSpan.Zero },
        { nameof(ProducerOptions.RequestTimeout), o => o.RequestTimeout = TimeSpan.FromMinutes(3) },
        { nameof(ProducerOptions.MetadataMaxAge), o => o.MetadataMaxAge = TimeSpan.Zero },
        { nameof(ProducerOptions.Compression), o => o.Compression = (OrleansLog.Records.CompressionType)9 },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_NamesTheInvalidOption(string option, Action<ProducerOptions> breakIt)
    {
        var options = new ProducerOptions();
        breakIt(options);
        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => ProducerOptionsValidator.Validate(options));
        Assert.Equal(option, error.ParamName);
        Assert.Contains($"ProducerOptions.{option}", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_AreValid_AndMatchTheDocumentation()
    {
        var options = new ProducerOptions();
        ProducerOptionsValidator.Validate(options);
        Assert.Equal(Acks.All, options.Acks);
        Assert.True(options.EnableIdempotence);
        Assert.Equal(TimeSpan.FromMilliseconds(5), options.Linger);
        Assert.Equal(64 * 1024, options.BatchBytes);
        Assert.Equal(32L * 1024 * 1024, options.BufferMemoryBytes);
        Assert.Equal(5, options.MaxInFlightPerPartition);
        Assert.Equal(TimeSpan.FromSeconds(120), options.DeliveryTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.MetadataMaxAge);
    }

    [Fact]
    public void Validate_AllowsOtherAcksAndMoreInFlight_WithoutIdempotence()
    {
        ProducerOptionsValidator.Validate(new ProducerOptions { EnableIdempotence = false, Acks = Acks.None, MaxInFlightPerPartition = 50 });
    }

    [Fact]
    public void Constructor_RejectsInvalidOptions()
    {
        Assert.ThrowsAny<ArgumentException>(() => new OrleansLogProducer(new FakeGrainFactory(), new ProducerOptions { BatchBytes = 1 }));
    }
}
