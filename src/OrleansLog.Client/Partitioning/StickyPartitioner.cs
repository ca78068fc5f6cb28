namespace OrleansLog.Client;

/// <summary>
/// Chooses partitions for records without a key, per topic (Kafka KIP-480): every keyless record goes to
/// the current "sticky" partition until the batch it is filling there is closed (full, lingered out or
/// flushed); the first keyless record that would open a new batch switches to another partition chosen
/// at random. Keyless traffic so fills large batches on one partition at a time instead of spraying tiny
/// batches over all of them, and still spreads evenly over time.
/// </summary>
/// <remarks>Thread-safe: producers call it concurrently; switching is a compare-and-swap.</remarks>
internal sealed class StickyPartitioner
{
    private readonly Random _random;
    private int _current = -1;

    /// <param name="random">Source of the random choices; tests pass a seeded one. Must be thread-safe
    /// (like <see cref="Random.Shared"/>) when the partitioner is used from several threads.</param>
    public StickyPartitioner(Random random)
    {
        _random = random;
    }

    /// <summary>The sticky partition for the next keyless record, choosing one if there is none yet.</summary>
    public int Partition(int partitionCount)
    {
        int current = Volatile.Read(ref _current);
        if ((uint)current < (uint)partitionCount)
        {
            return current;
        }

        int chosen = _random.Next(partitionCount);
        int seen = Interlocked.CompareExchange(ref _current, chosen, current);
        return seen == current || (uint)seen >= (uint)partitionCount ? chosen : seen;
    }

    /// <summary>
    /// Called when a keyless record for <paramref name="previousPartition"/> would open a new batch. If that
    /// partition is still the sticky one, switches to a different one; returns the partition to use now.
    /// </summary>
    public int OnNewBatch(int previousPartition, int partitionCount)
    {
        int current = Volatile.Read(ref _current);
        if (current != previousPartition && (uint)current < (uint)partitionCount)
        {
            // Another thread switched already; follow it rather than switching twice.
            return current;
        }

        int next = partitionCount == 1 ? 0 : _random.Next(partitionCount - 1);
        if (partitionCount > 1 && next >= previousPartition)
        {
            next++;
        }

        int seen = Interlocked.CompareExchange(ref _current, next, current);
        return seen == current ? next : Partition(partitionCount);
    }
}
