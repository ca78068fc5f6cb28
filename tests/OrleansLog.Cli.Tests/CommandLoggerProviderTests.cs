using Microsoft.Extensions.Logging;
using OrleansLog.Cli.Connection;

namespace OrleansLog.Cli.Tests;

/// <summary>
/// Protects how Orleans' own logging reaches standard error: nothing while connecting (a failed
/// connection must end in the command's single error line), then warnings and errors only, one short
/// line each with the exception's type and message but no stack trace.
/// </summary>
public sealed class CommandLoggerProviderTests
{
    [Fact]
    public void BeforeOpen_NothingIsWritten()
    {
        var error = new StringWriter();
        using var provider = new CommandLoggerProvider(error);

        Write(provider.CreateLogger("Orleans.Messaging"), LogLevel.Error, "gateway refused");

        Assert.Equal(string.Empty, error.ToString());
    }

    [Fact]
    public void AfterOpen_WarningsAreOneLine_AndInformationIsDropped()
    {
        var error = new StringWriter { NewLine = "\n" };
        using var provider = new CommandLoggerProvider(error);
        ILogger logger = provider.CreateLogger("Orleans.Messaging");
        provider.Open();

        Write(logger, LogLevel.Information, "connected");
        Write(logger, LogLevel.Warning, "lost 127.0.0.1:30000", new InvalidOperationException("socket\nclosed"));

        Assert.Equal("warn: Orleans.Messaging: lost 127.0.0.1:30000 (InvalidOperationException: socket closed)\n", error.ToString());
    }

    [Fact]
    public void AfterClose_NothingMoreIsWritten()
    {
        var error = new StringWriter();
        using var provider = new CommandLoggerProvider(error);
        ILogger logger = provider.CreateLogger("Orleans.Messaging");
        provider.Open();
        provider.Close();

        Write(logger, LogLevel.Error, "shutting down");

        Assert.Equal(string.Empty, error.ToString());
    }

    // ILogger.Log itself, as Orleans' generated [LoggerMessage] methods call it.
    private static void Write(ILogger logger, LogLevel level, string message, Exception? exception = null) =>
        logger.Log(level, default, message, exception, static (state, _) => state);
}
