using Microsoft.Extensions.Logging;

namespace OrleansLog.Cli.Connection;

/// <summary>
/// Writes Orleans' and the client's warnings and errors to standard error as one short line each
/// (<c>warn: Category: message (ExceptionType: message)</c>), without stack traces. Silent until
/// <see cref="Open"/> is called: while connecting, Orleans logs every failed attempt at length, and a
/// failed connection must end in the single error line the command prints itself.
/// </summary>
internal sealed class CommandLoggerProvider(TextWriter error) : ILoggerProvider
{
    private readonly TextWriter _error = error;
    private volatile bool _open;

    /// <summary>From now on warnings are written (the client is connected).</summary>
    public void Open() => _open = true;

    /// <summary>Silences the log again (the command is ending; shutdown noise is not news).</summary>
    public void Close() => _open = false;

    public ILogger CreateLogger(string categoryName) => new CommandLogger(this, categoryName);

    public void Dispose() => _open = false;

    private sealed class CommandLogger(CommandLoggerProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => provider._open && logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            string level = logLevel switch
            {
                LogLevel.Warning => "warn",
                LogLevel.Error => "fail",
                _ => "crit",
            };
            string detail = exception is null ? string.Empty : $" ({exception.GetType().Name}: {exception.Message})";
            string line = $"{level}: {category}: {formatter(state, exception)}{detail}".ReplaceLineEndings(" ");
            lock (provider)
            {
                provider._error.WriteLine(line);
            }
        }
    }
}
