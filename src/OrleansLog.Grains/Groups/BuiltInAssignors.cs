namespace OrleansLog.Grains.Groups;

/// <summary>The assignors every coordinator knows, under Kafka's names.</summary>
public static class BuiltInAssignors
{
    public static IReadOnlyList<IPartitionAssignor> All { get; } =
    [
        new RangeAssignor(),
        new RoundRobinAssignor(),
        new StickyAssignor(),
        new CooperativeStickyAssignor(),
    ];
}
