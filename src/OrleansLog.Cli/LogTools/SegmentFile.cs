namespace OrleansLog.Cli.LogTools;

/// <summary>A segment file and the base offset its name declares (null when the name is not 20 digits).</summary>
internal readonly record struct SegmentFile(string Path, long? BaseOffset);
