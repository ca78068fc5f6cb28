using Orleans.Runtime.Placement;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Where a pinned grain goes when the node it belongs to is not active: this silo if it can host the
/// grain, else any compatible silo. The activation placed there knows it is on the wrong node and only
/// answers that its node is unavailable (a retriable error), so nothing is ever served from the wrong disk.
/// </summary>
internal static class PlacementFallback
{
    public static SiloAddress Choose(PlacementTarget target, IPlacementContext context)
    {
        SiloAddress[] compatible = context.GetCompatibleSilos(target);
        if (!context.LocalSiloStatus.IsTerminating() && Array.IndexOf(compatible, context.LocalSilo) >= 0)
        {
            return context.LocalSilo;
        }

        return compatible[Random.Shared.Next(compatible.Length)];
    }

    public static bool IsCompatible(SiloAddress silo, PlacementTarget target, IPlacementContext context) =>
        Array.IndexOf(context.GetCompatibleSilos(target), silo) >= 0;
}
