namespace OrleansLog.Grains.Groups;

/// <summary>Durable form of one member of the last completed generation.</summary>
[GenerateSerializer, Alias("olog.GroupMemberState")]
public sealed class GroupMemberState
{
    [Id(0)] public string MemberId { get; set; } = string.Empty;

    [Id(1)] public string? GroupInstanceId { get; set; }

    [Id(2)] public string ClientId { get; set; } = string.Empty;

    [Id(3)] public int SessionTimeoutMs { get; set; }

    [Id(4)] public int RebalanceTimeoutMs { get; set; }

    [Id(5)] public List<string> Topics { get; set; } = [];

    [Id(6)] public List<string> Assignors { get; set; } = [];

    [Id(7)] public List<TopicPartition> Assignment { get; set; } = [];
}
