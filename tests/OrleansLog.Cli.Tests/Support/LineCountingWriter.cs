using System.Text;

namespace OrleansLog.Cli.Tests.Support;

/// <summary>
/// A thread-safe text writer ("\n" lines) that, like standard output, shows only what was flushed, and lets
/// a test wait until that holds a number of lines.
/// </summary>
internal sealed class LineCountingWriter : TextWriter
{
    private readonly Lock _gate = new();
    private readonly StringBuilder _buffered = new();
    private readonly StringBuilder _flushed = new();
    private readonly List<(int Count, TaskCompletionSource Reached)> _waiters = [];
    private int _lines;

    public override Encoding Encoding => Encoding.UTF8;

    public override void Write(char value)
    {
        lock (_gate)
        {
            _buffered.Append(value);
        }
    }

    public override void Write(string? value)
    {
        lock (_gate)
        {
            _buffered.Append(value);
        }
    }

    public override void WriteLine(string? value) => Write(value + "\n");

    public override Task WriteLineAsync(string? value)
    {
        WriteLine(value);
        return Task.CompletedTask;
    }

    public override void Flush()
    {
        lock (_gate)
        {
            string text = _buffered.ToString();
            _buffered.Clear();
            _flushed.Append(text);
            _lines += text.Count(c => c == '\n');
            foreach ((int count, TaskCompletionSource reached) in _waiters)
            {
                if (_lines >= count)
                {
                    reached.TrySetResult();
                }
            }
        }
    }

    public override Task FlushAsync()
    {
        Flush();
        return Task.CompletedTask;
    }

    public override Task FlushAsync(CancellationToken cancellationToken)
    {
        Flush();
        return Task.CompletedTask;
    }

    /// <summary>Completes when the flushed text holds <paramref name="count"/> lines.</summary>
    public Task WaitForLinesAsync(int count)
    {
        lock (_gate)
        {
            var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (_lines >= count)
            {
                reached.SetResult();
            }
            else
            {
                _waiters.Add((count, reached));
            }

            return reached.Task;
        }
    }

    /// <summary>What was flushed.</summary>
    public override string ToString()
    {
        lock (_gate)
        {
            return _flushed.ToString();
        }
    }
}
