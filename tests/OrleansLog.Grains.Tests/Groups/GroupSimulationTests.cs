using System.Globalization;
using OrleansLog.Grains.Groups;
using Xunit;

namespace OrleansLog.Grains.Tests.Groups;

/// <summary>
/// Runs <see cref="GroupSimulation"/> for many seeds and every assignor. A failure names the seed; set
/// <c>OLOG_GROUP_SIM_SEED</c> to replay just that one.
/// </summary>
public sealed class GroupSimulationTests
{
    private const int Steps = 600;

    public static TheoryData<string, int> Runs()
    {
        var runs = new TheoryData<string, int>();
        string? replay = Environment.GetEnvironmentVariable("OLOG_GROUP_SIM_SEED");
        int[] seeds = replay is null ? [.. Enumerable.Range(1, 30)] : [int.Parse(replay, CultureInfo.InvariantCulture)];
        foreach (IPartitionAssignor assignor in BuiltInAssignors.All)
        {
            foreach (int seed in seeds)
            {
                runs.Add(assignor.Name, seed);
            }
        }

        return runs;
    }

    [Theory]
    [MemberData(nameof(Runs))]
    public void Churn_KeepsOwnershipExclusive_EveryPartitionOwnedWhenStable_AndCommitsMonotonic(string assignor, int seed)
    {
        var simulation = new GroupSimulation(seed, assignor);

        simulation.Run(Steps);

        Assert.True(simulation.Rebalances > 3, $"seed {seed}: the run should rebalance repeatedly, did {simulation.Rebalances} times");
        Assert.True(simulation.Commits > 10, $"seed {seed}: the run should commit, did {simulation.Commits} times");
    }
}
