using OrleansLog.Simulation.Replication;
using Xunit;

namespace OrleansLog.Grains.Tests.Replication;

/// <summary>
/// Protects replication under faults the kill -9 soak never reaches, through the seeded simulation
/// (<see cref="ReplicationSimulation"/>): for a fixed set of seeds, no committed record is lost or changed,
/// replicas never diverge below the HW, offsets stay dense, consumers see nothing above the HW, and the
/// partition recovers once the faults end; and a seed replays exactly, so a failure found in the long mode
/// (<c>./build.sh sim</c>) can be replayed and debugged.
/// </summary>
public sealed class ReplicationSimulationTests
{
    [Fact]
    public void AFixedSetOfSeeds_KeepsEveryReplicationInvariant()
    {
        var failures = new List<string>();
        for (int seed = 1; seed <= 400; seed++)
        {
            SimulationResult result = ReplicationSimulation.Run(seed, steps: 300);
            if (!result.Passed)
            {
                failures.Add(result.Describe());
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n\n", failures));
    }

    /// <summary>Seeds of the long mode that found bugs (named in the commits that fixed them).</summary>
    [Theory]
    [InlineData(86507)] // a producer-state snapshot deleted by a truncation came back after a power cut
    public void ASeedThatFoundABug_Passes(int seed)
    {
        SimulationResult result = ReplicationSimulation.Run(seed, steps: 300);

        Assert.True(result.Passed, result.Describe());
    }

    [Fact]
    public void ASeed_ReplaysExactly()
    {
        SimulationResult first = ReplicationSimulation.Run(4242, steps: 300);
        SimulationResult second = ReplicationSimulation.Run(4242, steps: 300);

        Assert.True(first.Passed, first.Describe());
        Assert.Equal(first.Fingerprint, second.Fingerprint);
        Assert.Equal(first.Steps, second.Steps);
        Assert.Equal(first.Acknowledged, second.Acknowledged);
        Assert.True(first.Acknowledged > 0 && first.Elections > 0 && first.Crashes > 0, first.Describe());
    }
}
