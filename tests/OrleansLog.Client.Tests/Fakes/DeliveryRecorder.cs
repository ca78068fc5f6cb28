namespace OrleansLog.Client.Tests;

/// <summary>Collects delivery reports and completes <see cref="All"/> once the expected number arrived.</summary>
internal sealed class DeliveryRecorder
{
    private readonly Lock _gate = new();
    private readonly List<(RecordMetadata? Metadata, Exception? Error)> _reports = [];
    private readonly TaskCompletionSource _all = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly int _expected;

    public DeliveryRecorder(int expected)
    {
        _expected = expected;
        Handler = Record;
    }

    public DeliveryHandler Handler { get; }

    public Task All => _all.Task;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _reports.Count;
            }
        }
    }

    public IReadOnlyList<long> Offsets
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports.Select(r => r.Metadata?.Offset ?? throw new InvalidOperationException($"delivery failed: {r.Error}"))];
            }
        }
    }

    public IReadOnlyList<int> Partitions
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports.Select(r => r.Metadata?.Partition ?? throw new InvalidOperationException($"delivery failed: {r.Error}"))];
            }
        }
    }

    private void Record(RecordMetadata? metadata, Exception? error)
    {
        lock (_gate)
        {
            _reports.Add((metadata, error));
            if (_reports.Count == _expected)
            {
                _all.TrySetResult();
            }
        }
    }
}
