using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansLog.Grains.Persistence;

/// <summary>
/// Durable grain state in files under the data directory, for the embedded (single node) mode, where
/// Orleans ships only in-memory storage. One file per grain and state name:
/// <c>{root}/{stateName}/{grain type}/{sha256(grain key)}.state</c>, holding a 4-byte little-endian
/// version (the ETag) followed by the state in Orleans' binary serialization.
/// Crash behaviour: a write goes to a temp file, is fsynced, renamed over the old file, and the
/// directory is fsynced, so a reader after kill -9 sees either the old or the new state, never a torn
/// one. Writes check the ETag (optimistic concurrency) like the ADO.NET provider does.
/// Thread-safety: Orleans serializes calls per grain; different grains touch different files.
/// </summary>
internal sealed partial class FileGrainStorage(string rootDirectory, Serializer serializer, ILogger<FileGrainStorage> logger) : IGrainStorage
{
    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        if (!File.Exists(path))
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        byte[] bytes = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
        if (bytes.Length < 4)
        {
            throw new InvalidDataException($"Grain state file {path} is {bytes.Length} bytes long; expected at least 4.");
        }

        int version = BitConverter.ToInt32(bytes, 0);
        grainState.State = serializer.Deserialize<T>(bytes.AsMemory(4));
        grainState.ETag = version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        int current = await ReadVersionAsync(path).ConfigureAwait(false);
        CheckETag(path, grainState.ETag, current);
        int next = current + 1;
        byte[] body = serializer.SerializeToArray(grainState.State);
        byte[] bytes = new byte[4 + body.Length];
        BitConverter.TryWriteBytes(bytes, next);
        body.CopyTo(bytes, 4);
        await WriteAtomicallyAsync(path, bytes).ConfigureAwait(false);
        grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        int current = await ReadVersionAsync(path).ConfigureAwait(false);
        CheckETag(path, grainState.ETag, current);
        if (File.Exists(path))
        {
            File.Delete(path);
            FsyncDirectory(Path.GetDirectoryName(path)!);
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        LogCleared(logger, grainId.ToString(), stateName);
    }

    private static void CheckETag(string path, string? etag, int currentVersion)
    {
        string? expected = currentVersion == 0 ? null : currentVersion.ToString(CultureInfo.InvariantCulture);
        if (!string.Equals(etag, expected, StringComparison.Ordinal))
        {
            throw new InconsistentStateException(
                $"Grain state {path} changed underneath: ETag expected '{expected ?? "<none>"}', grain had '{etag ?? "<none>"}'.",
                expected ?? string.Empty,
                etag ?? string.Empty);
        }
    }

    private static async Task<int> ReadVersionAsync(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 4, useAsync: false);
        byte[] header = new byte[4];
        int read = await stream.ReadAsync(header).ConfigureAwait(false);
        return read == 4 ? BitConverter.ToInt32(header, 0) : 0;
    }

    private static async Task WriteAtomicallyAsync(string path, byte[] bytes)
    {
        string directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        string temp = path + ".tmp";
        await using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
        {
            await stream.WriteAsync(bytes).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
        FsyncDirectory(directory);
    }

    /// <summary>Makes a rename durable: on Linux the directory entry is only persisted by fsyncing the directory.</summary>
    internal static void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        try
        {
            using var handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            RandomAccess.FlushToDisk(handle);
        }
        catch (UnauthorizedAccessException)
        {
            // Some file systems refuse to open directories; the rename is then as durable as they make it.
        }
        catch (IOException)
        {
        }
    }

    private string PathFor(string stateName, GrainId grainId)
    {
        string key = grainId.Key.ToString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return Path.Combine(rootDirectory, Sanitize(stateName), Sanitize(grainId.Type.ToString()), hash + ".state");
    }

    private static string Sanitize(string name)
    {
        var builder = new StringBuilder(name.Length);
        foreach (char c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_');
        }

        return builder.ToString();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cleared grain state {StateName} of {GrainId}")]
    private static partial void LogCleared(ILogger logger, string grainId, string stateName);
}
