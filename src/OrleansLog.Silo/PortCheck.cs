using System.Net;
using System.Net.Sockets;

namespace OrleansLog.Silo;

/// <summary>
/// Refuses to start on a port something else already listens on. Orleans' silo and gateway listeners share
/// a port with another silo rather than fail, and clients then reach either broker at random; so before
/// anything starts, each port is bound once, exclusively, on every interface, and released again.
/// </summary>
internal static class PortCheck
{
    /// <exception cref="IOException">A port is taken; the message names it and the setting that chose it.</exception>
    public static void ThrowIfTaken(SiloSettings settings)
    {
        ThrowIfTaken(settings.SiloPort, "silo port (--silo-port)");
        ThrowIfTaken(settings.GatewayPort, "gateway port (--gateway-port)");
        ThrowIfTaken(settings.HttpPort, "HTTP port (--http-port)");
    }

    private static void ThrowIfTaken(int port, string what)
    {
        using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            probe.ExclusiveAddressUse = true;
            probe.Bind(new IPEndPoint(IPAddress.Any, port));
        }
        catch (SocketException ex) when (ex.SocketErrorCode is SocketError.AddressAlreadyInUse or SocketError.AccessDenied)
        {
            throw new IOException($"the {what} {port} is already in use on this machine (another silo or process listens on it); choose another");
        }
    }
}
