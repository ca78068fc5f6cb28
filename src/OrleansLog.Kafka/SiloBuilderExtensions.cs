using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansLog.Kafka.Handlers;

namespace OrleansLog.Kafka;

/// <summary>Hosting: any silo of <c>AddOrleansLog</c> on an ASP.NET Core host can also be a Kafka broker.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>
    /// Listens for Kafka clients on <see cref="KafkaListenerOptions.Port"/> (off when 0) through the host's
    /// Kestrel, serving ApiVersions, Metadata, Produce, Fetch, ListOffsets, InitProducerId, CreateTopics,
    /// DeleteTopics, CreatePartitions, DeleteRecords, FindCoordinator, OffsetCommit, OffsetFetch, ListGroups,
    /// DescribeGroups and DeleteGroups over the OrleansLog grains.
    /// </summary>
    public static ISiloBuilder AddKafkaListener(this ISiloBuilder builder, Action<KafkaListenerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        OptionsBuilder<KafkaListenerOptions> options = builder.Services.AddOptions<KafkaListenerOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        builder.Services.AddSingleton<IValidateOptions<KafkaListenerOptions>, KafkaListenerOptionsValidator>();
        options.ValidateOnStart();
        builder.Services.AddSingleton<KafkaBroker>();
        builder.Services.AddSingleton<IKafkaApiHandler, MetadataHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, ProduceHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, FetchHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, ListOffsetsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, InitProducerIdHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, CreateTopicsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, DeleteTopicsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, CreatePartitionsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, DeleteRecordsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, FindCoordinatorHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, OffsetCommitHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, OffsetFetchHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, ListGroupsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, DescribeGroupsHandler>();
        builder.Services.AddSingleton<IKafkaApiHandler, DeleteGroupsHandler>();
        builder.Services.AddSingleton<KafkaRequestDispatcher>();
        builder.Services.AddSingleton<KafkaConnectionHandler>();
        builder.Services.AddSingleton<IConfigureOptions<KestrelServerOptions>, KafkaKestrelSetup>();
        return builder;
    }

    /// <summary>Adds the Kafka endpoint to Kestrel when a port is set.</summary>
    private sealed class KafkaKestrelSetup(IOptions<KafkaListenerOptions> options) : IConfigureOptions<KestrelServerOptions>
    {
        public void Configure(KestrelServerOptions kestrel)
        {
            if (options.Value.Port > 0)
            {
                kestrel.Listen(IPAddress.Any, options.Value.Port, listen => listen.UseConnectionHandler<KafkaConnectionHandler>());
            }
        }
    }
}
