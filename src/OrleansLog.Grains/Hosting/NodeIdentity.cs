using Microsoft.Extensions.Options;

namespace OrleansLog.Grains.Hosting;

/// <summary>
/// This node's stable id. Silo addresses change on every restart, so the identity that partition
/// assignments refer to comes from configuration or from <c>{DataDirectory}/node-id</c>, written once.
/// A configured id that disagrees with the one recorded in the data directory fails start-up: that data
/// directory belongs to another node.
/// </summary>
public sealed class NodeIdentity
{
    public NodeIdentity(IOptions<OrleansLogOptions> options)
    {
        string dataDirectory = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        string file = Path.Combine(dataDirectory, "node-id");
        string configured = options.Value.NodeId;
        string? recorded = File.Exists(file) ? File.ReadAllText(file).Trim() : null;
        if (recorded is not null && configured.Length > 0 && recorded != configured)
        {
            throw new InvalidOperationException(
                $"Data directory {dataDirectory} belongs to node '{recorded}', but this silo is configured as node '{configured}'.");
        }

        NodeId = recorded ?? (configured.Length > 0 ? configured : "node-" + Guid.NewGuid().ToString("N")[..8]);
        if (recorded is null)
        {
            string temp = file + ".tmp";
            File.WriteAllText(temp, NodeId + "\n");
            File.Move(temp, file, overwrite: true);
        }
    }

    public string NodeId { get; }
}
