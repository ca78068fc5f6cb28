namespace OrleansLog.Storage;

public sealed partial class PartitionLog
{
    /// <summary>
    /// Applies new settings to an open log (a topic's configuration was altered): roll, retention and
    /// flush settings take effect from the next append, roll check or retention run. Segments already
    /// on disk keep their index files as they are. Owner only, like appends.
    /// </summary>
    /// <exception cref="ArgumentException">The options are invalid; nothing changes.</exception>
    public void Reconfigure(PartitionLogOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        PartitionLogOptionsValidator.ThrowIfInvalid(options);
        ObjectDisposedException.ThrowIf(_closed, this);
        PartitionLogOptions next = options.Clone();
        bool restartTimer = next.FlushPolicy != _options.FlushPolicy || next.FlushIntervalMs != _options.FlushIntervalMs;
        _options = next;
        if (restartTimer)
        {
            _intervalFlushTimer?.Dispose();
            _intervalFlushTimer = next.FlushPolicy == FlushPolicy.Interval
                ? _scheduler.StartIntervalFlush(this, next.FlushIntervalMs)
                : null;
        }
    }
}
