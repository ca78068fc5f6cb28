using Microsoft.Extensions.DependencyInjection;

namespace OrleansLog.Client.Tests;

/// <summary>
/// Protects the DI registration: every client type resolves from a container that has an
/// <see cref="IGrainFactory"/> (as Orleans clients and silos do), configured defaults reach the producers
/// and consumers, and invalid options fail naming the option.
/// </summary>
public sealed class ServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddOrleansLogClient_RegistersAdminFactoriesAndASharedProducer()
    {
        var cluster = new FakeGrainFactory();
        cluster.AddTopic("orders", 1);
        await using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IGrainFactory>(cluster)
            .AddOrleansLogClient(o => o.Producer.Linger = TimeSpan.Zero)
            .BuildServiceProvider();

        Assert.IsType<OrleansLogAdmin>(services.GetRequiredService<IOrleansLogAdmin>());
        IProducer producer = services.GetRequiredService<IProducer>();
        Assert.Same(producer, services.GetRequiredService<IProducer>());
        RecordMetadata metadata = await producer.ProduceAsync("orders", "k", "v", TestContext.Current.CancellationToken).Within("producing through the registered producer");
        Assert.Equal(0, metadata.Offset);

        await using IConsumer consumer = services.GetRequiredService<IConsumerFactory>().CreateConsumer(o => o.AutoOffsetReset = AutoOffsetReset.Earliest);
        consumer.Assign([new TopicPartition("orders", 0)]);
        ConsumeResult? record = await consumer.ConsumeAsync(TaskTimeouts.Limit, TestContext.Current.CancellationToken);
        Assert.Equal("v", record?.ValueAsString());
    }

    [Fact]
    public void InvalidOptions_FailWhenTheProducerIsResolved_NamingTheOption()
    {
        using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IGrainFactory>(new FakeGrainFactory())
            .AddOrleansLogClient(o => o.Producer.BatchBytes = 10)
            .BuildServiceProvider();

        ArgumentException error = Assert.ThrowsAny<ArgumentException>(() => services.GetRequiredService<IProducer>());
        Assert.Equal(nameof(ProducerOptions.BatchBytes), error.ParamName);
    }

    [Fact]
    public async Task ProducerFactory_StartsFromTheConfiguredDefaults_AndAppliesOverrides()
    {
        await using ServiceProvider services = new ServiceCollection()
            .AddSingleton<IGrainFactory>(new FakeGrainFactory())
            .AddOrleansLogClient(o => o.Producer.EnableIdempotence = false)
            .BuildServiceProvider();

        // Acks.Leader is only valid without idempotence: the configured default must have been applied.
        await using IProducer producer = services.GetRequiredService<IProducerFactory>().CreateProducer(o => o.Acks = Acks.Leader);
        Assert.IsType<OrleansLogProducer>(producer);
    }
}
