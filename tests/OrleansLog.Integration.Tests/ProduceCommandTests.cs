using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using OrleansLog.Client;
using OrleansLog.Integration.Tests.Infrastructure;
using Xunit;

namespace OrleansLog.Integration.Tests;

/// <summary>
/// Protects <c>olog produce --print-metadata</c> as a process against a real broker: a record too large for
/// the topic fails alone (the producer splits the batch the broker refused) while its neighbours are stored
/// and printed; metadata lines appear as records are acknowledged while standard input is still open; and
/// SIGTERM ends the run after printing every record acknowledged by then.
/// </summary>
public sealed class ProduceCommandTests : IAsyncLifetime
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);
    private readonly TempDataDirectory _data = new("produce-cli");
    private SiloProcess? _silo;

    private SiloProcess Silo => _silo ?? throw new InvalidOperationException("The broker has not started.");

    public async ValueTask InitializeAsync()
    {
        _silo = new SiloProcess(_data.Path);
        await _silo.StartAsync(Deadline, Ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_silo is not null)
        {
            await _silo.DisposeAsync();
        }

        _data.Dispose();
    }

    [Fact]
    public async Task ARecordTooLargeForTheTopic_FailsAlone_AndItsNeighboursAreStoredAndPrinted()
    {
        await CreateTopicAsync("capped", new Dictionary<string, string> { ["max.message.bytes"] = "1000" });
        string[] input = ["first", "second", new string('x', 5000), "fourth", "fifth"];
        using Process olog = StartProduce("capped");

        await olog.StandardInput.WriteAsync(string.Join('\n', input) + "\n");
        olog.StandardInput.Close();
        string output = await olog.StandardOutput.ReadToEndAsync(Ct);
        string errors = await olog.StandardError.ReadToEndAsync(Ct);
        await olog.WaitForExitAsync(Ct).WaitAsync(Deadline, Ct);

        Assert.True(olog.ExitCode == 1, $"exit code {olog.ExitCode}; stderr: {errors}");
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(5, lines.Length);
        Assert.Equal([0L, 1], lines[..2].Select(Offset));
        Assert.Equal([2L, 3], lines[3..].Select(Offset));
        using (JsonDocument failed = JsonDocument.Parse(lines[2]))
        {
            Assert.Equal(3, failed.RootElement.GetProperty("line").GetInt64());
            Assert.Equal("MessageTooLarge", failed.RootElement.GetProperty("error").GetString());
        }

        Assert.Contains("error: MessageTooLarge: input line 3: ", errors, StringComparison.Ordinal);
        Assert.Contains("error: MessageTooLarge: 1 of 5 record(s) failed; the first, input line 3: ", errors, StringComparison.Ordinal);
        Assert.Equal(["first", "second", "fourth", "fifth"], await ReadAllAsync("capped", 4));
    }

    [Fact]
    public async Task Metadata_IsPrintedWhileInputIsOpen_AndSigterm_EndsTheRunAfterPrintingEveryAcknowledgedRecord()
    {
        const int Records = 2000;
        await CreateTopicAsync("streamed", new Dictionary<string, string>());
        using Process olog = StartProduce("streamed");
        var printed = new List<string>();
        var allPrinted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        olog.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { Length: > 0 } line)
            {
                lock (printed)
                {
                    printed.Add(line);
                    if (printed.Count == Records)
                    {
                        allPrinted.TrySetResult();
                    }
                }
            }
        };
        var errors = new StringBuilder();
        olog.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.AppendLine(e.Data);
            }
        };
        olog.BeginOutputReadLine();
        olog.BeginErrorReadLine();

        var text = new StringBuilder();
        for (int i = 0; i < Records; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"record-{i}\n");
        }

        await olog.StandardInput.WriteAsync(text.ToString());
        await olog.StandardInput.FlushAsync(Ct);
        await allPrinted.Task.WaitAsync(Deadline, Ct); // standard input is still open

        using (Process kill = Process.Start("kill", ["-TERM", olog.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync(Ct);
        }

        await olog.WaitForExitAsync(Ct).WaitAsync(Deadline, Ct);
        string stderr;
        lock (errors)
        {
            stderr = errors.ToString();
        }

        Assert.True(olog.ExitCode == 130, $"exit code {olog.ExitCode}; stderr: {stderr}");
        Assert.Contains($"interrupted after {Records} input line(s): {Records} record(s) acknowledged, 0 failed, 0 not acknowledged", stderr, StringComparison.Ordinal);
        lock (printed)
        {
            Assert.Equal(Enumerable.Range(0, Records).Select(i => (long)i), printed.Select(Offset));
        }

        Assert.Equal(Records, (await ReadAllAsync("streamed", Records)).Count);
    }

    private Process StartProduce(string topic)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { RepositoryPaths.OlogAssembly, "produce", topic, "--print-metadata", "--bootstrap", $"127.0.0.1:{Silo.GatewayPort}" })
        {
            info.ArgumentList.Add(arg);
        }

        info.StandardInputEncoding = new UTF8Encoding(false);
        return Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
    }

    private async Task CreateTopicAsync(string topic, Dictionary<string, string> config)
    {
        await using ExternalClient client = await ExternalClient.ConnectAsync(Ct, Silo.GatewayPort);
        await new OrleansLogAdmin(client.Client).CreateTopicAsync(topic, 1, config: config, cancellationToken: Ct);
    }

    private async Task<List<string>> ReadAllAsync(string topic, int count)
    {
        await using ExternalClient client = await ExternalClient.ConnectAsync(Ct, Silo.GatewayPort);
        await using var consumer = new OrleansLogConsumer(client.Client, new ConsumerOptions());
        consumer.Assign([new TopicPartitionOffset(topic, 0, 0)]);
        var values = new List<string>();
        while (values.Count < count)
        {
            ConsumeResult record = await consumer.ConsumeAsync(TimeSpan.FromSeconds(20), Ct)
                ?? throw new TimeoutException($"{topic}: read {values.Count} of {count} records");
            values.Add(record.ValueAsString()!);
        }

        return values;
    }

    private static long Offset(string line)
    {
        using JsonDocument json = JsonDocument.Parse(line);
        return json.RootElement.GetProperty("offset").GetInt64();
    }
}
