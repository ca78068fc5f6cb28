namespace OrleansLog.Cli.LogTools;

/// <summary>A partition directory and its segment files in offset order.</summary>
internal sealed record PartitionSegments(string Directory, IReadOnlyList<SegmentFile> Segments);
