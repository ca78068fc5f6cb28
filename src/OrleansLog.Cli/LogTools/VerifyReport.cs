namespace OrleansLog.Cli.LogTools;

/// <summary>What <see cref="LogVerifier"/> checked and every problem it found, in file order.</summary>
internal sealed class VerifyReport
{
    public int Partitions { get; set; }

    public int Segments { get; set; }

    public long Batches { get; set; }

    public long Records { get; set; }

    public long Bytes { get; set; }

    public int IndexFiles { get; set; }

    public List<LogProblem> Problems { get; } = [];

    public bool IsClean => Problems.Count == 0;

    public string Summary() =>
        $"checked {Partitions} partition(s), {Segments} segment(s), {Batches} batch(es), {Records} record(s), {Bytes} byte(s), {IndexFiles} index file(s): " +
        (IsClean ? "OK" : $"{Problems.Count} problem(s)");
}
