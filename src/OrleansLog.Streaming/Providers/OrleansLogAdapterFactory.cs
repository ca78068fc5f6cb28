using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Serialization;
using Orleans.Streams;

namespace OrleansLog.Streaming.Providers;

/// <summary>
/// The provider's composition root, as Orleans' persistent-stream machinery asks for it: the adapter
/// (produce, receivers), the cache per queue, the queue mapper and the failure handler. A queue's cache and
/// receiver share one <see cref="PartitionQueue"/>: the cache is created first, the receiver next.
/// </summary>
internal sealed class OrleansLogAdapterFactory : IQueueAdapterFactory, IQueueAdapterCache
{
    private readonly string _name;
    private readonly OrleansLogStreamOptions _options;
    private readonly IGrainFactory _grains;
    private readonly Serializer _serializer;
    private readonly TimeProvider _time;
    private readonly ILoggerFactory _loggers;
    private readonly PartitionQueueMapper _mapper;
    private readonly TopicProvisioner _provisioner;
    private readonly PartitionAppender _appender;
    private readonly ConcurrentDictionary<QueueId, PartitionQueue> _queues = new();
    private readonly OrleansLogQueueAdapter _adapter;

    public OrleansLogAdapterFactory(string name, OrleansLogStreamOptions options, IGrainFactory grains, Serializer serializer, TimeProvider time, ILoggerFactory loggers)
    {
        _name = name;
        _options = options;
        _grains = grains;
        _serializer = serializer;
        _time = time;
        _loggers = loggers;
        _mapper = new PartitionQueueMapper(name, options);
        _provisioner = new TopicProvisioner(grains, options, name);
        _appender = new PartitionAppender(grains, options, time);
        _adapter = new OrleansLogQueueAdapter(name, _mapper, _provisioner, _appender, serializer, time, ReceiverQueue);
    }

    public static OrleansLogAdapterFactory Create(IServiceProvider services, string name) =>
        new(
            name,
            services.GetRequiredService<IOptionsMonitor<OrleansLogStreamOptions>>().Get(name),
            services.GetRequiredService<IGrainFactory>(),
            services.GetRequiredService<Serializer>(),
            services.GetService<TimeProvider>() ?? TimeProvider.System,
            services.GetRequiredService<ILoggerFactory>());

    [Obsolete("Use the overload which accepts a CancellationToken.")]
    public Task<IQueueAdapter> CreateAdapter() => Task.FromResult<IQueueAdapter>(_adapter);

    public Task<IQueueAdapter> CreateAdapter(CancellationToken cancellationToken) => Task.FromResult<IQueueAdapter>(_adapter);

    public IQueueAdapterCache GetQueueAdapterCache() => this;

    public IStreamQueueMapper GetStreamQueueMapper() => _mapper;

    public Task<IStreamFailureHandler> GetDeliveryFailureHandler(QueueId queueId) =>
        Task.FromResult<IStreamFailureHandler>(new DeadLetterFailureHandler(
            _mapper.PartitionOf(queueId), _name, _options, _grains, _provisioner, _appender, _time, _loggers.CreateLogger<DeadLetterFailureHandler>()));

    /// <summary>A new queue state for an agent that (re)starts pulling <paramref name="queueId"/>.</summary>
    public IQueueCache CreateQueueCache(QueueId queueId)
    {
        var queue = NewQueue(queueId);
        if (_queues.TryGetValue(queueId, out PartitionQueue? previous))
        {
            previous.Dispose();
        }

        _queues[queueId] = queue;
        return queue.Cache;
    }

    private PartitionQueue ReceiverQueue(QueueId queueId) => _queues.GetOrAdd(queueId, NewQueue);

    private PartitionQueue NewQueue(QueueId queueId) =>
        new(_mapper.PartitionOf(queueId), _name, _options, _grains, _serializer, _provisioner, _time, _loggers.CreateLogger("OrleansLog.Streaming." + _name));
}
