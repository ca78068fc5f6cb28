using OrleansLog.Grains;
using OrleansLog.Groups;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>ListGroups from the group registry, each group's state from its coordinator grain (filtered by state in v4+).</summary>
internal sealed class ListGroupsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.ListGroups;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var list = (ListGroupsRequest)request;
        IReadOnlyList<string> names = await grains.GetGrain<IGroupRegistryGrain>(IGroupRegistryGrain.Key).ListAsync(cancellationToken);
        (string Name, GroupDescription? Group)[] groups = await Task.WhenAll(names.Select(async name =>
            (name, (await grains.GetGrain<IGroupCoordinatorGrain>(name).DescribeAsync(cancellationToken)).Group)));
        return new ListGroupsResponse
        {
            Groups =
            [
                .. groups
                    .Where(g => g.Group is not null && (list.StatesFilter.Count == 0 || list.StatesFilter.Contains(g.Group.State.ToString(), StringComparer.OrdinalIgnoreCase)))
                    .Select(g => new ListGroupsResponse.Group { GroupId = g.Name, ProtocolType = "consumer", GroupState = g.Group!.State.ToString() }),
            ],
        };
    }
}
