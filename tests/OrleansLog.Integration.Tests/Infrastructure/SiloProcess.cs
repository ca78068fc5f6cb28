using System.Diagnostics;
using System.Net.Http;
using System.Text;

namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>
/// A real broker in its own process (the built OrleansLog.Silo), for tests whose behaviour depends on
/// a process dying: <see cref="Kill"/> is SIGKILL, nothing is flushed or closed. Output is kept for
/// failure messages.
/// </summary>
internal sealed class SiloProcess : IAsyncDisposable
{
    private readonly StringBuilder _output = new();
    private Process? _process;

    public SiloProcess(string dataDirectory, params string[] extraArgs)
        : this(dataDirectory, extraArgs, RepositoryPaths.SiloAssembly)
    {
    }

    /// <param name="assembly">The host to run: the broker, or a host that adds test grains to it.</param>
    public SiloProcess(string dataDirectory, string[] extraArgs, string assembly)
    {
        Assembly = assembly;
        DataDirectory = dataDirectory;
        ExtraArgs = extraArgs;
        SiloPort = FreePorts.Next();
        GatewayPort = FreePorts.Next();
        HttpPort = FreePorts.Next();
    }

    public string Assembly { get; }

    public string DataDirectory { get; }

    public string[] ExtraArgs { get; }

    public int SiloPort { get; }

    public int GatewayPort { get; }

    public int HttpPort { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The silo's operating-system process id; -1 before it started.</summary>
    public int ProcessId => _process?.Id ?? -1;

    /// <summary>Starts the silo and waits until <c>/health</c> answers 200.</summary>
    public async Task StartAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryPaths.Root,
        };
        info.ArgumentList.Add(Assembly);
        foreach (string arg in new[]
        {
            "--data-dir", DataDirectory,
            "--silo-port", SiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--gateway-port", GatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--http-port", HttpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        })
        {
            info.ArgumentList.Add(arg);
        }

        foreach (string arg in ExtraArgs)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["DOTNET_gcServer"] = "0";
        _process = Process.Start(info) ?? throw new InvalidOperationException("dotnet did not start");
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"Silo exited with code {_process.ExitCode} during start-up. Output:\n{Output}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{HttpPort}/health"), cancellationToken);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
            }

            await Task.Delay(100, cancellationToken);
        }

        throw new TimeoutException($"Silo did not report /health 200 within {timeout.TotalSeconds} s. Output:\n{Output}");
    }

    /// <summary>SIGKILL: the process dies at once, with whatever it had not flushed.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false })
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit();
        }
    }

    /// <summary>SIGTERM and wait: a graceful stop that flushes and writes clean-shutdown markers.</summary>
    public async Task StopAsync(TimeSpan timeout)
    {
        if (_process is { HasExited: false })
        {
            using (Process? signal = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                signal?.WaitForExit();
            }

            using var cts = new CancellationTokenSource(timeout);
            await _process.WaitForExitAsync(cts.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        _process?.Dispose();
        await Task.CompletedTask;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
