using OrleansLog.Cli.Output;
using OrleansLog.Groups;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects what scripts and people read from <c>olog groups describe</c>: the exact JSON (snake_case
/// names, field order, members and partitions sorted, nulls for a dynamic member's instance id and an
/// unowned partition) and the text tables with "-" for what is missing.
/// </summary>
public sealed class GroupsOutputTests
{
    private static readonly GroupDescription Sample = new(
        "orders-app",
        GroupState.Stable,
        "range",
        4,
        [
            new GroupMemberDescription("m-2", "host-b", "consumer-orders-app-2", [new TopicPartition("orders", 2)]),
            new GroupMemberDescription("m-1", null, "consumer-orders-app-1", [new TopicPartition("orders", 1), new TopicPartition("orders", 0)]),
        ],
        [
            new PartitionLag(new TopicPartition("orders", 2), -1, 7, 7, "m-2"),
            new PartitionLag(new TopicPartition("orders", 0), 10, 12, 2, "m-1"),
            new PartitionLag(new TopicPartition("orders", 1), 5, 5, 0, "m-1"),
            new PartitionLag(new TopicPartition("audit", 0), 3, 4, 1, null),
        ],
        10);

    [Fact]
    public void DescribeJson_HasTheDocumentedShape_SortedForStableOutput()
    {
        string json = CliJson.Serialize(GroupDescriptionJson.From(Sample));

        Assert.Equal(
            """{"group":"orders-app","state":"Stable","assignor":"range","generation":4,"members":[""" +
            """{"member_id":"m-1","instance_id":null,"client_id":"consumer-orders-app-1","partitions":[{"topic":"orders","partition":0},{"topic":"orders","partition":1}]},""" +
            """{"member_id":"m-2","instance_id":"host-b","client_id":"consumer-orders-app-2","partitions":[{"topic":"orders","partition":2}]}],""" +
            "\"offsets\":[" +
            """{"topic":"audit","partition":0,"committed_offset":3,"high_watermark":4,"lag":1,"owner":null},""" +
            """{"topic":"orders","partition":0,"committed_offset":10,"high_watermark":12,"lag":2,"owner":"m-1"},""" +
            """{"topic":"orders","partition":1,"committed_offset":5,"high_watermark":5,"lag":0,"owner":"m-1"},""" +
            """{"topic":"orders","partition":2,"committed_offset":-1,"high_watermark":7,"lag":7,"owner":"m-2"}],""" +
            "\"total_lag\":10}",
            json);
    }

    [Fact]
    public void DescribeJson_OfAnEmptyGroup_HasEmptyListsAndNullAssignor()
    {
        var empty = new GroupDescription("idle", GroupState.Empty, null, 0, [], [], 0);

        Assert.Equal(
            """{"group":"idle","state":"Empty","assignor":null,"generation":0,"members":[],"offsets":[],"total_lag":0}""",
            CliJson.Serialize(GroupDescriptionJson.From(empty)));
    }

    [Fact]
    public void DescribeText_ShowsTheGroupLine_AMemberTable_AndAnOffsetTable()
    {
        var text = new StringWriter { NewLine = "\n" };

        GroupDescriptionText.Write(Sample, text);

        Assert.Equal(
            """
            Group: orders-app  State: Stable  Assignor: range  Generation: 4  Members: 2  Total lag: 10
            MEMBER-ID  INSTANCE-ID  CLIENT-ID              PARTITIONS
            m-1        -            consumer-orders-app-1  orders-0,orders-1
            m-2        host-b       consumer-orders-app-2  orders-2

            TOPIC   PARTITION  COMMITTED-OFFSET  HIGH-WATERMARK  LAG  OWNER
            audit   0          3                 4               1    -
            orders  0          10                12              2    m-1
            orders  1          5                 5               0    m-1
            orders  2          -                 7               7    m-2

            """.ReplaceLineEndings("\n"),
            text.ToString());
    }
}
