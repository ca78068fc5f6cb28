namespace OrleansLog.Storage;

/// <summary>
/// A leader append: the offsets it was given, known at once, and its durability, which under
/// <see cref="FlushPolicy.Always"/> completes only when the group-committed fsync covers it.
/// </summary>
/// <param name="Info">Where the batch went and the offsets it was given.</param>
/// <param name="Durable">Completes (with <paramref name="Info"/>) once the append is as durable as the flush policy asks; consume once.</param>
public readonly record struct LogAppend(LogAppendInfo Info, ValueTask<LogAppendInfo> Durable);
