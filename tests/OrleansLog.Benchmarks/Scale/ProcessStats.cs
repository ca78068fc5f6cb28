using System.Globalization;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>What a silo process costs, read from Linux's /proc: resident memory, open descriptors, CPU time.</summary>
internal static class ProcessStats
{
    public static double ResidentMegabytes(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return Math.Round(long.Parse(kb, CultureInfo.InvariantCulture) / 1024.0, 1);
            }
        }

        return -1;
    }

    public static int OpenDescriptors(int pid) => Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;

    /// <summary>User + system CPU time of the process so far.</summary>
    public static TimeSpan CpuTime(int pid)
    {
        string stat = File.ReadAllText($"/proc/{pid}/stat");
        string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        long ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / 100.0);
    }

    /// <summary>Percent of one core the process used over <paramref name="window"/>.</summary>
    public static async Task<double> CpuPercentAsync(int pid, TimeSpan window, CancellationToken cancellationToken)
    {
        TimeSpan before = CpuTime(pid);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Task.Delay(window, cancellationToken);
        TimeSpan used = CpuTime(pid) - before;
        return Math.Round(100 * used.TotalSeconds / clock.Elapsed.TotalSeconds, 2);
    }
}
