using OrleansLog.Kafka.Protocol.Messages;

namespace OrleansLog.Kafka.Protocol;

/// <summary>
/// The APIs whose messages this library defines, with their request and response types and the versions
/// ApiVersions advertises for them. A listener advertises only the APIs it also serves.
/// </summary>
public static class KafkaApis
{
    private static readonly Dictionary<ApiKey, (Type Request, Type Response)> Types = new()
    {
        [ApiKey.Produce] = (typeof(ProduceRequest), typeof(ProduceResponse)),
        [ApiKey.Fetch] = (typeof(FetchRequest), typeof(FetchResponse)),
        [ApiKey.ListOffsets] = (typeof(ListOffsetsRequest), typeof(ListOffsetsResponse)),
        [ApiKey.OffsetCommit] = (typeof(OffsetCommitRequest), typeof(OffsetCommitResponse)),
        [ApiKey.OffsetFetch] = (typeof(OffsetFetchRequest), typeof(OffsetFetchResponse)),
        [ApiKey.FindCoordinator] = (typeof(FindCoordinatorRequest), typeof(FindCoordinatorResponse)),
        [ApiKey.DescribeGroups] = (typeof(DescribeGroupsRequest), typeof(DescribeGroupsResponse)),
        [ApiKey.ListGroups] = (typeof(ListGroupsRequest), typeof(ListGroupsResponse)),
        [ApiKey.ApiVersions] = (typeof(ApiVersionsRequest), typeof(ApiVersionsResponse)),
        [ApiKey.CreateTopics] = (typeof(CreateTopicsRequest), typeof(CreateTopicsResponse)),
        [ApiKey.DeleteTopics] = (typeof(DeleteTopicsRequest), typeof(DeleteTopicsResponse)),
        [ApiKey.DeleteRecords] = (typeof(DeleteRecordsRequest), typeof(DeleteRecordsResponse)),
        [ApiKey.InitProducerId] = (typeof(InitProducerIdRequest), typeof(InitProducerIdResponse)),
        [ApiKey.CreatePartitions] = (typeof(CreatePartitionsRequest), typeof(CreatePartitionsResponse)),
        [ApiKey.DeleteGroups] = (typeof(DeleteGroupsRequest), typeof(DeleteGroupsResponse)),
        [ApiKey.Metadata] = (typeof(MetadataRequest), typeof(MetadataResponse)),
    };

    public static IReadOnlyCollection<ApiKey> Supported => Types.Keys;

    public static bool IsSupported(ApiKey apiKey, short version) =>
        Types.TryGetValue(apiKey, out var types) && KafkaCodec.Describe(types.Request) is var message
        && version >= message.MinVersion && version <= message.MaxVersion;

    public static KafkaMessageAttribute Describe(ApiKey apiKey) => KafkaCodec.Describe(Types[apiKey].Request);

    public static Type RequestType(ApiKey apiKey) => Types[apiKey].Request;

    public static Type ResponseType(ApiKey apiKey) => Types[apiKey].Response;

    /// <summary>
    /// Whether a request of <paramref name="apiKey"/> at <paramref name="version"/> uses the flexible
    /// header (version 2): known APIs from their first flexible version on, even above the versions spoken
    /// (so an ApiVersions request newer than ours still parses); unknown APIs never.
    /// </summary>
    public static bool UsesFlexibleHeader(ApiKey apiKey, short version) =>
        Types.TryGetValue(apiKey, out var types) && version >= KafkaCodec.Describe(types.Request).FirstFlexibleVersion;

    /// <summary>The ApiKeys list of an ApiVersions response for the APIs <paramref name="served"/>.</summary>
    public static List<ApiVersionsResponse.ApiVersion> Advertised(IEnumerable<ApiKey> served) =>
    [
        .. served.Where(Types.ContainsKey).Order().Select(key => Describe(key) is var message
            ? new ApiVersionsResponse.ApiVersion { ApiKey = (short)key, MinVersion = message.MinVersion, MaxVersion = message.MaxVersion }
            : null!),
    ];
}
