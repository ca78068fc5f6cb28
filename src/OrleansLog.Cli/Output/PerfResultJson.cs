namespace OrleansLog.Cli.Output;

/// <summary>
/// The one result line of <c>olog perf produce</c> and <c>perf consume</c>. MB are 10^6 bytes of record
/// payload (key and value), not of batch framing.
/// </summary>
internal sealed record PerfResultJson(long Records, double Seconds, double RecordsPerS, double MbPerS)
{
    public static PerfResultJson From(long records, long payloadBytes, TimeSpan elapsed)
    {
        double seconds = Math.Max(elapsed.TotalSeconds, 1e-9);
        return new PerfResultJson(
            records,
            Math.Round(elapsed.TotalSeconds, 3),
            Math.Round(records / seconds, 1),
            Math.Round(payloadBytes / 1e6 / seconds, 3));
    }
}
