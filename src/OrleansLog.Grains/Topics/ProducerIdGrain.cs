namespace OrleansLog.Grains.Topics;

/// <summary>
/// Hands out unique producer ids (key <see cref="IProducerIdGrain.Key"/>). Ids are reserved in blocks
/// of <see cref="BlockSize"/> with one durable write per block (as Kafka's ProducerIdManager does), so a
/// restart skips the rest of a block instead of ever handing out an id twice.
/// </summary>
[GrainType("olog-producer-ids")]
internal sealed class ProducerIdGrain(
    [PersistentState("producer-ids", Hosting.OrleansLogOptions.StorageName)] IPersistentState<ProducerIdState> state)
    : Grain, IProducerIdGrain
{
    internal const int BlockSize = 1000;

    private long _next = -1;

    public async Task<ProducerIdAndEpoch> InitProducerIdAsync(CancellationToken cancellationToken = default)
    {
        if (_next < 0 || _next >= state.State.NextUnreservedId)
        {
            long blockStart = state.State.NextUnreservedId;
            state.State.NextUnreservedId = blockStart + BlockSize;
            await state.WriteStateAsync(cancellationToken);
            _next = blockStart;
        }

        return new ProducerIdAndEpoch(_next++, 0);
    }
}
