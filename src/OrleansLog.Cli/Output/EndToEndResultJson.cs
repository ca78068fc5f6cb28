namespace OrleansLog.Cli.Output;

/// <summary>
/// The result line of <c>olog perf e2e</c>: throughput as in <see cref="PerfResultJson"/>, plus latency
/// percentiles in microseconds from handing a record to the producer to the consumer receiving it.
/// </summary>
internal sealed record EndToEndResultJson(
    long Records,
    double Seconds,
    double RecordsPerS,
    double MbPerS,
    long P50Us,
    long P99Us,
    long P999Us,
    long MaxUs);
