namespace OrleansLog.Simulation.Replication;

/// <summary>
/// A call or an answer on the simulated network, delivered when the simulation picks it (so in any order),
/// and only to the process it was sent to (a restarted node never sees it). <see cref="Lost"/> runs when
/// it is dropped or its target is gone, so the sender can time out.
/// </summary>
internal sealed class SimulatedMessage(string kind, string from, SimulatedNode to, Action deliver, Action? lost = null, bool mayDuplicate = false)
{
    private readonly int _incarnation = to.Incarnation;

    public string Kind { get; } = kind;

    public string From { get; } = from;

    public SimulatedNode To { get; } = to;

    /// <summary>Whether delivering it twice is a fault the network may commit (a request, not an answer).</summary>
    public bool MayDuplicate { get; } = mayDuplicate;

    public bool Deliverable => To.Up && To.Incarnation == _incarnation;

    public void Deliver() => deliver();

    public void Lose() => lost?.Invoke();

    public override string ToString() => $"{Kind} {From}->{To.Id}";
}
