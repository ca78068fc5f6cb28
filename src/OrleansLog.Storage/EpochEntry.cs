namespace OrleansLog.Storage;

/// <summary>One leader-epoch cache entry: the first offset written under <paramref name="Epoch"/>.</summary>
public readonly record struct EpochEntry(int Epoch, long StartOffset);
