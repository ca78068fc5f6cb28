using Microsoft.Extensions.Hosting;

namespace OrleansLog.Cli.Connection;

/// <summary>A host lifetime that does nothing: a command starts and stops its client host explicitly.</summary>
internal sealed class CommandHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
