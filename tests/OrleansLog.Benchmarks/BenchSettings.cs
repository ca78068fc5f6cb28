using System.Globalization;

namespace OrleansLog.Benchmarks;

/// <summary>Command-line settings shared by the benchmarks.</summary>
internal sealed record BenchSettings(string Directory, double GiB, int FsyncSeconds)
{
    public static BenchSettings Parse(string[] args)
    {
        string directory = Path.Combine(Path.GetTempPath(), "olog-bench-" + Guid.NewGuid().ToString("N")[..8]);
        double gib = 2;
        int fsyncSeconds = 5;
        for (int i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--dir":
                    directory = Path.Combine(args[i + 1], "olog-bench-" + Guid.NewGuid().ToString("N")[..8]);
                    break;
                case "--gib":
                    gib = double.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                case "--fsync-seconds":
                    fsyncSeconds = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
                    break;
                default:
                    throw new ArgumentException($"unknown option {args[i]} (known: --dir, --gib, --fsync-seconds)");
            }
        }

        return new BenchSettings(directory, gib, fsyncSeconds);
    }
}
