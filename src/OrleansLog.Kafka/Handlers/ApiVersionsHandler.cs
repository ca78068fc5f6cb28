using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>ApiVersions: the APIs this listener serves, each with the versions its codec declares.</summary>
internal sealed class ApiVersionsHandler(Func<IEnumerable<ApiKey>> served) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.ApiVersions;

    public Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken) =>
        Task.FromResult<object?>(new ApiVersionsResponse { ApiKeys = KafkaApis.Advertised(served()) });
}
