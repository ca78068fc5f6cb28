namespace OrleansLog.Silo;

/// <summary>Short command-line switches mapped onto configuration keys.</summary>
internal static class CommandLineSwitches
{
    public static readonly Dictionary<string, string> Map = new(StringComparer.Ordinal)
    {
        ["--data-dir"] = "OrleansLog:DataDirectory",
        ["--node-id"] = "OrleansLog:NodeId",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--http-port"] = "Silo:HttpPort",
        ["--cluster-id"] = "Silo:ClusterId",
        ["--service-id"] = "Silo:ServiceId",
        ["--retention-check-interval"] = "OrleansLog:RetentionCheckInterval",
        ["--postgres"] = "Cluster:PostgreSql",
        ["--advertised-host"] = "Cluster:AdvertisedHost",
        ["--kafka-port"] = "Kafka:Port",
    };

    /// <summary>
    /// The first switch that is neither one of <see cref="Map"/> nor a configuration path
    /// (<c>--Section:Key</c>), or null: an unknown switch must stop start-up, not be ignored.
    /// </summary>
    public static string? FindUnknown(IEnumerable<string> args)
    {
        foreach (string arg in args)
        {
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue; // a value
            }

            int equals = arg.IndexOf('=', StringComparison.Ordinal);
            string name = equals < 0 ? arg : arg[..equals];
            if (!Map.ContainsKey(name) && !name.Contains(':', StringComparison.Ordinal))
            {
                return name;
            }
        }

        return null;
    }
}
