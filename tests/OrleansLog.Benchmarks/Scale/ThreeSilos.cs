using OrleansLog.Integration.Tests.Infrastructure;

namespace OrleansLog.Benchmarks.Scale;

/// <summary>Three silo processes (node-1..3) in cluster mode against a fresh database on the PostgreSQL in <c>OLOG_TEST_POSTGRES</c>.</summary>
internal sealed class ThreeSilos : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly string _root;

    private ThreeSilos(TestDatabase database, string root, SiloProcess[] silos)
    {
        _database = database;
        _root = root;
        Silos = silos;
    }

    public SiloProcess[] Silos { get; }

    public int[] GatewayPorts => [.. Silos.Select(s => s.GatewayPort)];

    public static string NodeId(int index) => $"node-{index + 1}";

    public static async Task<ThreeSilos> StartAsync(string name, CancellationToken ct)
    {
        TestDatabase database = await TestDatabase.CreateAsync(ct);
        string root = ScaleBenchmarks.NewDataDirectory(name);
        SiloProcess[] silos = [.. Enumerable.Range(0, 3).Select(i => new SiloProcess(
            Path.Combine(root, NodeId(i)),
            ["--node-id", NodeId(i), "--postgres", database.ConnectionString, "--advertised-host", "127.0.0.1"]))];
        var cluster = new ThreeSilos(database, root, silos);
        await Task.WhenAll(silos.Select(s => s.StartAsync(TimeSpan.FromSeconds(120), ct)));
        return cluster;
    }

    /// <summary>Each silo's output lines that mention <paramref name="partition"/> (its grain key), for a failure's report.</summary>
    public string LinesAbout(TopicPartition partition)
    {
        string key = partition.ToGrainKey();
        string name = partition.ToString();
        return string.Join('\n', Silos.Select((silo, i) =>
            $"--- {NodeId(i)} ---\n" + string.Join('\n', silo.Output.Split('\n').Where(line => line.Contains(key, StringComparison.Ordinal) || line.Contains(name, StringComparison.Ordinal)))));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (SiloProcess silo in Silos)
        {
            await silo.DisposeAsync();
        }

        await _database.DisposeAsync();
        ScaleBenchmarks.DeleteQuietly(_root);
    }
}
