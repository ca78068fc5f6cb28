using System.Globalization;
using System.Net;

namespace OrleansLog.Cli.Connection;

/// <summary>
/// Parses <c>--bootstrap host:port[,host:port...]</c>. Hosts are names or IP literals (IPv6 in brackets,
/// <c>[::1]:30000</c>); names are resolved later, when connecting. Every problem is a usage error that
/// quotes the offending entry.
/// </summary>
internal static class BootstrapParser
{
    public static IReadOnlyList<BootstrapAddress> Parse(string bootstrap)
    {
        if (string.IsNullOrWhiteSpace(bootstrap))
        {
            throw CliException.Usage("--bootstrap is empty; expected host:port[,host:port...]");
        }

        var addresses = new List<BootstrapAddress>();
        foreach (string raw in bootstrap.Split(','))
        {
            string entry = raw.Trim();
            if (entry.Length == 0)
            {
                throw CliException.Usage($"--bootstrap '{bootstrap}' has an empty entry; expected host:port[,host:port...]");
            }

            addresses.Add(ParseEntry(entry));
        }

        return addresses;
    }

    private static BootstrapAddress ParseEntry(string entry)
    {
        string host;
        string port;
        if (entry.StartsWith('['))
        {
            int close = entry.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= entry.Length || entry[close + 1] != ':')
            {
                throw Malformed(entry);
            }

            host = entry[1..close];
            port = entry[(close + 2)..];
            if (!IPAddress.TryParse(host, out _))
            {
                throw CliException.Usage($"--bootstrap entry '{entry}': '{host}' in brackets is not an IPv6 address");
            }
        }
        else
        {
            int colon = entry.LastIndexOf(':');
            if (colon < 0 || entry.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                throw Malformed(entry);
            }

            host = entry[..colon];
            port = entry[(colon + 1)..];
        }

        if (host.Length == 0 || host.Any(char.IsWhiteSpace))
        {
            throw CliException.Usage($"--bootstrap entry '{entry}' has no valid host before the port");
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int number) || number is < 1 or > 65535)
        {
            throw CliException.Usage($"--bootstrap entry '{entry}': port '{port}' is not a number between 1 and 65535");
        }

        return new BootstrapAddress(host, number);
    }

    private static CliException Malformed(string entry) =>
        CliException.Usage($"--bootstrap entry '{entry}' must be host:port (for example localhost:30000 or [::1]:30000)");
}
