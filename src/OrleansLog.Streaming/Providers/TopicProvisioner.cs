using System.Collections.Concurrent;
using OrleansLog.Client;
using OrleansLog.Grains;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// Makes sure a namespace's topic exists with the partition count its queues assume: creates it when the
/// provider may (<see cref="TopicCreation.CreateIfMissing"/>), else refuses. A success is remembered; a
/// failure is not, so the next use asks again.
/// </summary>
internal sealed class TopicProvisioner(IGrainFactory grains, OrleansLogStreamOptions options, string providerName)
{
    private readonly ConcurrentDictionary<string, Task<TopicMetadata>> _ready = new(StringComparer.Ordinal);

    /// <summary>The namespace's topic, created if it may be; its metadata as it was then.</summary>
    public ValueTask<TopicMetadata> EnsureAsync(StreamNamespaceOptions ns, CancellationToken cancellationToken)
    {
        Task<TopicMetadata> task = _ready.GetOrAdd(ns.Topic, _ => CreateOrVerifyAsync(ns, cancellationToken));
        return task.IsCompletedSuccessfully ? new ValueTask<TopicMetadata>(task.Result) : new ValueTask<TopicMetadata>(ForgetOnFailureAsync(ns.Topic, task));
    }

    /// <summary>Makes sure the dead-letter topic exists (one partition unless an operator made it otherwise).</summary>
    public Task<TopicMetadata> EnsureDeadLetterTopicAsync(string topic, CancellationToken cancellationToken) =>
        _ready.GetOrAdd(topic, t => CreateDeadLetterAsync(t, cancellationToken));

    private async Task<TopicMetadata> ForgetOnFailureAsync(string topic, Task<TopicMetadata> task)
    {
        try
        {
            return await task;
        }
        catch
        {
            _ready.TryRemove(new KeyValuePair<string, Task<TopicMetadata>>(topic, task));
            throw;
        }
    }

    private async Task<TopicMetadata> CreateOrVerifyAsync(StreamNamespaceOptions ns, CancellationToken cancellationToken)
    {
        ITopicGrain topic = grains.GetGrain<ITopicGrain>(ns.Topic);
        TopicMetadata metadata = await topic.GetMetadataAsync(cancellationToken);
        if (!metadata.Exists)
        {
            if (options.TopicCreation == TopicCreation.RequireExisting)
            {
                throw new OrleansLogException(
                    ErrorCode.UnknownTopicOrPartition,
                    $"Topic '{ns.Topic}' of stream namespace '{ns.Namespace}' (stream provider '{providerName}') does not exist, " +
                    $"and the provider requires existing topics: create it with {ns.Partitions} partitions.");
            }

            AdminResult created = await topic.CreateAsync(ns.Partitions, ns.CreationConfig(), cancellationToken);
            if (!created.IsSuccess && created.Error != ErrorCode.TopicAlreadyExists)
            {
                throw new OrleansLogException(created.Error, $"Stream provider '{providerName}' could not create topic '{ns.Topic}' for namespace '{ns.Namespace}': {created.Message}");
            }

            metadata = await topic.GetMetadataAsync(cancellationToken);
        }

        if (metadata.PartitionCount != ns.Partitions)
        {
            throw new OrleansLogException(
                ErrorCode.InvalidPartitions,
                $"Topic '{ns.Topic}' has {metadata.PartitionCount} partitions, but stream namespace '{ns.Namespace}' of stream provider " +
                $"'{providerName}' is configured for {ns.Partitions}: set its Partitions to {metadata.PartitionCount}.");
        }

        return metadata;
    }

    private async Task<TopicMetadata> CreateDeadLetterAsync(string name, CancellationToken cancellationToken)
    {
        ITopicGrain topic = grains.GetGrain<ITopicGrain>(name);
        TopicMetadata metadata = await topic.GetMetadataAsync(cancellationToken);
        if (metadata.Exists)
        {
            return metadata;
        }

        AdminResult created = await topic.CreateAsync(1, null, cancellationToken);
        if (!created.IsSuccess && created.Error != ErrorCode.TopicAlreadyExists)
        {
            throw new OrleansLogException(created.Error, $"Stream provider '{providerName}' could not create dead-letter topic '{name}': {created.Message}");
        }

        return await topic.GetMetadataAsync(cancellationToken);
    }
}
