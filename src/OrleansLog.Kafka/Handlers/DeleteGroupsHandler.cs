using OrleansLog.Grains;
using OrleansLog.Groups;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DeleteGroups on the coordinator grains: an empty group goes with its offsets; one with members is NON_EMPTY_GROUP.</summary>
internal sealed class DeleteGroupsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.DeleteGroups;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var delete = (DeleteGroupsRequest)request;
        DeleteGroupsResponse.Result[] results = await Task.WhenAll(delete.GroupsNames.Select(async name =>
            new DeleteGroupsResponse.Result { GroupId = name, ErrorCode = (short)(await grains.GetGrain<IGroupCoordinatorGrain>(name).DeleteAsync(cancellationToken)).Error }));
        return new DeleteGroupsResponse { Results = [.. results] };
    }
}
