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
    private readonly ConcurrentDictionary<string, Task> _ready = new(StringComparer.Ordinal);

    public Task EnsureAsync(StreamNamespaceOptions ns, CancellationToken cancellationToken)
    {
        Task task = _ready.GetOrAdd(ns.Topic, _ => CreateOrVerifyAsync(ns, cancellationToken));
        if (task.IsFaulted || task.IsCanceled)
        {
            _ready.TryRemove(new KeyValuePair<string, Task>(ns.Topic, task));
        }

        return task.IsCompletedSuccessfully ? Task.CompletedTask : ForgetOnFailureAsync(ns.Topic, task);
    }

    /// <summary>Makes sure the dead-letter topic exists (one partition unless an operator made it otherwise).</summary>
    public Task EnsureDeadLetterTopicAsync(string topic, CancellationToken cancellationToken) =>
        _ready.GetOrAdd(topic, t => CreateDeadLetterAsync(t, cancellationToken));

    private async Task ForgetOnFailureAsync(string topic, Task task)
    {
        try
        {
            await task;
        }
        catch
        {
            _ready.TryRemove(new KeyValuePair<string, Task>(topic, task));
            throw;
        }
    }

    private async Task CreateOrVerifyAsync(StreamNamespaceOptions ns, CancellationToken cancellationToken)
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
            if (created.IsSuccess)
            {
                return;
            }

            if (created.Error != ErrorCode.TopicAlreadyExists)
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
    }

    private async Task CreateDeadLetterAsync(string name, CancellationToken cancellationToken)
    {
        ITopicGrain topic = grains.GetGrain<ITopicGrain>(name);
        TopicMetadata metadata = await topic.GetMetadataAsync(cancellationToken);
        if (metadata.Exists)
        {
            return;
        }

        AdminResult created = await topic.CreateAsync(1, null, cancellationToken);
        if (!created.IsSuccess && created.Error != ErrorCode.TopicAlreadyExists)
        {
            throw new OrleansLogException(created.Error, $"Stream provider '{providerName}' could not create dead-letter topic '{name}': {created.Message}");
        }
    }
}
