using System.Diagnostics;
using System.Globalization;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects the Kafka listener for kcat users, as the README shows it (kcat is installed by the test
/// command): <c>kcat -L</c> lists the topic and its partitions, <c>kcat -P</c> writes keyed records with
/// headers, and <c>kcat -C</c> reads them back from the beginning — and the Orleans consumer sees the same.
/// </summary>
public sealed class KcatTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private KafkaSilo _kafka = null!;

    private string Broker => _kafka.Bootstrap;

    public async ValueTask InitializeAsync() => _kafka = await KafkaSilo.StartAsync("kcat", "greetings", 3, Ct);

    public ValueTask DisposeAsync() => _kafka.DisposeAsync();

    [Fact]
    public async Task Kcat_ListsProducesAndConsumes_KeysAndHeadersIncluded()
    {
        string listing = await KcatAsync(["-L"], stdin: null);
        Assert.Contains("topic \"greetings\" with 3 partitions:", listing, StringComparison.Ordinal);

        await KcatAsync(["-P", "-t", "greetings", "-p", "0", "-K:", "-H", "source=kcat"], stdin: "k1:hello\nk2:world\n");

        string consumed = await KcatAsync(["-C", "-t", "greetings", "-p", "0", "-o", "beginning", "-e", "-f", "%k=%s %h @%o\\n"], stdin: null);
        Assert.Equal(["k1=hello source=kcat @0", "k2=world source=kcat @1"], consumed.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        await using var consumer = new OrleansLogConsumer(_kafka.Client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(new TopicPartition("greetings", 0), 0)]);
        ConsumeResult first = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct) ?? throw new TimeoutException("the Orleans consumer read nothing kcat wrote");
        Assert.Equal(("k1", "hello"), (first.KeyAsString(), first.ValueAsString()));
    }

    /// <summary>Runs kcat against the silo; fails with its stderr when it exits non-zero or takes longer than 30 s.</summary>
    private async Task<string> KcatAsync(string[] args, string? stdin)
    {
        var start = new ProcessStartInfo("kcat")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add("-b");
        start.ArgumentList.Add(Broker);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process kcat = Process.Start(start) ?? throw new InvalidOperationException("kcat did not start; './build.sh test' installs it");
        Task<string> output = kcat.StandardOutput.ReadToEndAsync(Ct);
        Task<string> errors = kcat.StandardError.ReadToEndAsync(Ct);
        if (stdin is not null)
        {
            await kcat.StandardInput.WriteAsync(stdin);
        }

        kcat.StandardInput.Close();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        try
        {
            await kcat.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException) when (!Ct.IsCancellationRequested)
        {
            kcat.Kill();
            throw new TimeoutException($"kcat {string.Join(' ', args)} did not finish within 30 s: {await errors}");
        }

        Assert.True(kcat.ExitCode == 0, $"kcat {string.Join(' ', args)} exited {kcat.ExitCode}: {await errors}");
        return await output;
    }
}
