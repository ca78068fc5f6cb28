using System.Globalization;

namespace OrleansLog.Cli.Connection;

/// <summary>One <c>host:port</c> entry of <c>--bootstrap</c>, checked but not yet resolved.</summary>
internal readonly record struct BootstrapAddress(string Host, int Port)
{
    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
