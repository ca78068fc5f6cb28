namespace OrleansLog.Cli.Output;

/// <summary>
/// How replica lists read in text output: node ids joined by commas, and a partition being moved as
/// <c>from → to</c>, the same in <c>topics describe</c> and <c>cluster rebalance</c>.
/// </summary>
internal static class ReplicaText
{
    public static string List(IReadOnlyList<string> replicas) => string.Join(',', replicas);

    public static string Move(IReadOnlyList<string> from, IReadOnlyList<string> to) => $"{List(from)} → {List(to)}";
}
