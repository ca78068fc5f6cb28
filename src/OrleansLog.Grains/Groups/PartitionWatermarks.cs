namespace OrleansLog.Grains.Groups;

/// <summary>A partition's log start offset and high watermark, as ListOffsets reported them for lag.</summary>
internal readonly record struct PartitionWatermarks(long LogStartOffset, long HighWatermark);
