using Microsoft.Extensions.Options;

namespace OrleansLog.Grains.Hosting;

/// <summary>
/// This node's stable id, and its exclusive claim on the data directory. Silo addresses change on every
/// restart, so the identity that partition assignments refer to comes from configuration or from
/// <c>{DataDirectory}/node-id</c>, written once. A configured id that disagrees with the one recorded in
/// the data directory fails start-up: that data directory belongs to another node.
/// <para>
/// Two silos must never share a data directory — both would write the same partition logs. The first
/// thing this does is take an exclusive lock on <c>{DataDirectory}/.lock</c> (a <see cref="FileShare.None"/>
/// handle, which .NET enforces with <c>flock</c> on Unix), held until the silo's services are disposed.
/// The kernel drops the lock when the process dies, even by kill -9, so a crashed node restarts without
/// manual clean-up. A second silo on the same directory fails start-up naming the directory and the node.
/// </para>
/// </summary>
public sealed class NodeIdentity : IDisposable
{
    private readonly FileStream _lock;

    public NodeIdentity(IOptions<OrleansLogOptions> options)
    {
        string dataDirectory = Path.GetFullPath(options.Value.DataDirectory);
        Directory.CreateDirectory(dataDirectory);
        DataDirectory = dataDirectory;
        string file = Path.Combine(dataDirectory, "node-id");
        _lock = AcquireLock(dataDirectory, file);
        try
        {
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
        catch
        {
            _lock.Dispose();
            throw;
        }
    }

    public string NodeId { get; }

    /// <summary>The absolute data directory this node has locked.</summary>
    public string DataDirectory { get; }

    public void Dispose() => _lock.Dispose();

    private static FileStream AcquireLock(string dataDirectory, string nodeIdFile)
    {
        string path = Path.Combine(dataDirectory, ".lock");
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException ex)
        {
            string owner = File.Exists(nodeIdFile) ? $"node '{File.ReadAllText(nodeIdFile).Trim()}'" : "a node";
            throw new InvalidOperationException(
                $"Data directory {dataDirectory} is in use by another silo ({owner} holds {path}); two silos cannot share a data directory. " +
                "Give each silo its own --data-dir.",
                ex);
        }
    }
}
