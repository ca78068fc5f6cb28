using OrleansLog.Grains;
using OrleansLog.Groups;
using OrleansLog.Kafka.Protocol;
using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Handlers;

/// <summary>DescribeGroups from the coordinator grains: state, assignor, and each member with its assignment.</summary>
internal sealed class DescribeGroupsHandler(IGrainFactory grains) : IKafkaApiHandler
{
    public ApiKey ApiKey => ApiKey.DescribeGroups;

    public async Task<object?> HandleAsync(RequestHeader header, object request, CancellationToken cancellationToken)
    {
        var describe = (DescribeGroupsRequest)request;
        DescribeGroupsResponse.Group[] groups = await Task.WhenAll(describe.Groups.Select(async name =>
        {
            (ErrorCode error, GroupDescription? group) = await grains.GetGrain<IGroupCoordinatorGrain>(name).DescribeAsync(cancellationToken);
            if (group is null)
            {
                // Kafka describes an unknown group as Dead with no error.
                return new DescribeGroupsResponse.Group { GroupId = name, ErrorCode = (short)(error == ErrorCode.GroupIdNotFound ? ErrorCode.None : error), GroupState = "Dead" };
            }

            return new DescribeGroupsResponse.Group
            {
                GroupId = name,
                GroupState = group.State.ToString(),
                ProtocolType = "consumer",
                ProtocolData = group.Assignor ?? string.Empty,
                Members =
                [
                    .. group.Members.Select(m => new DescribeGroupsResponse.Member
                    {
                        MemberId = m.MemberId,
                        GroupInstanceId = m.GroupInstanceId,
                        ClientId = m.ClientId,
                        MemberAssignment = ConsumerProtocolAssignment.Encode(m.Assignment),
                    }),
                ],
            };
        }));
        return new DescribeGroupsResponse { Groups = [.. groups] };
    }
}
