namespace OrleansLog.Simulation.Replication;

/// <summary>One seed's run: the steps taken, the first broken invariant (null when none), and a fingerprint of the whole trace (equal on replay).</summary>
internal sealed record SimulationResult(
    int Seed,
    int Steps,
    string? Failure,
    IReadOnlyList<string> LastSteps,
    ulong Fingerprint,
    int Acknowledged,
    int Elections,
    int Crashes)
{
    public bool Passed => Failure is null;

    public string Describe() =>
        Passed
            ? $"seed {Seed}: passed, {Steps} steps, {Acknowledged} records acknowledged, {Elections} elections, {Crashes} crashes"
            : $"seed {Seed}: FAILED at step {Steps}: {Failure}\n  replay: ./build.sh sim --seed {Seed}\n  last steps:\n    {string.Join("\n    ", LastSteps)}";
}
