using OrleansLog.Grains.Persistence;
using OrleansLog.Groups;

namespace OrleansLog.Grains.Groups;

/// <summary>The durable, sorted list of consumer group ids (key <see cref="IGroupRegistryGrain.Key"/>), for <c>olog groups list</c>.</summary>
[GrainType("olog-group-registry")]
internal sealed class GroupRegistryGrain(
    [PersistentState("groups", Hosting.OrleansLogOptions.StorageName)] IPersistentState<GroupRegistryState> state)
    : NameRegistryGrain<GroupRegistryState>(state), IGroupRegistryGrain;
