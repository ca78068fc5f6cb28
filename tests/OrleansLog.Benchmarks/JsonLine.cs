using System.Text.Json;

namespace OrleansLog.Benchmarks;

/// <summary>Writes one benchmark result as a single JSON line on stdout.</summary>
internal static class JsonLine
{
    public static void Write(Dictionary<string, object> figures)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(figures));
        Console.Out.Flush();
    }

    /// <summary>Megabytes per second, with MB = 10^6 bytes.</summary>
    public static double MbPerSecond(long bytes, TimeSpan elapsed) => Math.Round(bytes / 1e6 / elapsed.TotalSeconds, 1);
}
