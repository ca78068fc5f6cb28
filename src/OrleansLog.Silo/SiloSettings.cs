using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace OrleansLog.Silo;

/// <summary>
/// The host's own settings (section <c>Silo</c>): ports and addresses. Read from
/// <c>silo-config/appsettings.json</c>, then <c>OLOG_</c>-prefixed environment variables
/// (<c>OLOG_Silo__HttpPort=8081</c>), then command-line switches. <see cref="Bind"/> fails with a message
/// naming the setting and the bad value.
/// </summary>
internal sealed record SiloSettings(int SiloPort, int GatewayPort, int HttpPort, string ClusterId, string ServiceId)
{
    public static SiloSettings Bind(IConfiguration configuration)
    {
        IConfigurationSection section = configuration.GetSection("Silo");
        return new SiloSettings(
            Port(section, "SiloPort", 11111),
            Port(section, "GatewayPort", 30000),
            Port(section, "HttpPort", 8080),
            Text(section, "ClusterId", "orleanslog"),
            Text(section, "ServiceId", "orleanslog"));
    }

    private static int Port(IConfigurationSection section, string key, int defaultValue)
    {
        string? raw = section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port is < 1 or > 65535)
        {
            throw new SettingException($"Silo:{key} must be a TCP port between 1 and 65535, was '{raw}'.");
        }

        return port;
    }

    private static string Text(IConfigurationSection section, string key, string defaultValue)
    {
        string? raw = section[key];
        if (raw is null)
        {
            return defaultValue;
        }

        if (string.IsNullOrWhiteSpace(raw))
        {
            throw new SettingException($"Silo:{key} must not be empty.");
        }

        return raw;
    }
}
