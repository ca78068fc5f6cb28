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
    };
}
