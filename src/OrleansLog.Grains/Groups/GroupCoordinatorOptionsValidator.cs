using Microsoft.Extensions.Options;
using Orleans.Runtime;
using OrleansLog.Grains.Hosting;

namespace OrleansLog.Grains.Groups;

/// <summary>Fails silo start-up with a message naming the bad <see cref="GroupCoordinatorOptions"/> setting.</summary>
internal sealed class GroupCoordinatorOptionsValidator(IOptions<OrleansLogOptions> options) : IConfigurationValidator
{
    public void ValidateConfiguration() => Validate(options.Value.Groups);

    internal static void Validate(GroupCoordinatorOptions o)
    {
        if (o.InitialRebalanceDelay < TimeSpan.Zero)
        {
            throw Invalid($"InitialRebalanceDelay must not be negative, was {o.InitialRebalanceDelay}.");
        }

        if (o.MetadataRefreshInterval <= TimeSpan.Zero)
        {
            throw Invalid($"MetadataRefreshInterval must be positive, was {o.MetadataRefreshInterval}.");
        }

        if (o.MinSessionTimeout <= TimeSpan.Zero)
        {
            throw Invalid($"MinSessionTimeout must be positive, was {o.MinSessionTimeout}.");
        }

        if (o.MaxSessionTimeout < o.MinSessionTimeout || o.MaxSessionTimeout.TotalMilliseconds > int.MaxValue)
        {
            throw Invalid($"MaxSessionTimeout must be at least MinSessionTimeout ({o.MinSessionTimeout}) and at most {int.MaxValue} ms, was {o.MaxSessionTimeout}.");
        }

        if (o.MaxGroupSize < 1)
        {
            throw Invalid($"MaxGroupSize must be at least 1, was {o.MaxGroupSize}.");
        }

        if (o.MaxOffsetMetadataLength < 0)
        {
            throw Invalid($"MaxOffsetMetadataLength must not be negative, was {o.MaxOffsetMetadataLength}.");
        }
    }

    private static OrleansConfigurationException Invalid(string message) => new("OrleansLog:Groups:" + message);
}
