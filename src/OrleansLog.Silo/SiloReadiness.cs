namespace OrleansLog.Silo;

/// <summary>Turns <c>/health</c> to 200 once the silo reaches its Active stage, and back to 503 when it stops.</summary>
internal sealed class SiloReadiness : ILifecycleParticipant<ISiloLifecycle>
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void Participate(ISiloLifecycle lifecycle) => lifecycle.Subscribe(
        nameof(SiloReadiness),
        ServiceLifecycleStage.Active,
        _ =>
        {
            _ready = true;
            return Task.CompletedTask;
        },
        _ =>
        {
            _ready = false;
            return Task.CompletedTask;
        });
}
