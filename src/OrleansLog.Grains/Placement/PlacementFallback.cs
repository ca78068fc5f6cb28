using Orleans.Runtime.Placement;

namespace OrleansLog.Grains.Placement;

/// <summary>
/// Where a pinned grain goes when the node it belongs to is not active: this silo if it can host the
/// grain, else any compatible silo. The activation placed there knows it is on the wrong node and only
/// answers that its node is unavailable (a retriable error), so nothing is ever served from the wrong disk.
/// <para>A node that is active goes to its own silo even when this silo does not yet list that silo as
/// compatible: Orleans fetches a new silo's grain manifest only after membership shows it active, and
/// every OrleansLog silo hosts every OrleansLog grain. Falling back in that window put a returning node's
/// replica on another silo, where every later call found it.</para>
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
}
