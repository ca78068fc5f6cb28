using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;
using Orleans.Serialization;
using Orleans.Storage;

namespace OrleansLog.Grains.Persistence;

/// <summary>
/// Durable grain state in files under the data directory, for the embedded (single node) mode, where
/// Orleans ships only in-memory storage. One file per grain and state name:
/// <c>{root}/{stateName}/{grain type}/{sha256(grain key)[..32]}.slots</c>, laid out as two slots
/// (<see cref="GrainStateFile"/>); the version in the newest valid slot is the ETag.
/// </summary>
/// <remarks>
/// <para>
/// Why two slots: consumer-group offset commits make this a hot write path. The first layout (temp
/// file, fsync, rename, fsync directory per write) cost about 0.4 ms of device time per write and did not
/// overlap, about 2,500 writes/s whatever the concurrency (measured on the 2-core ext4 dev VM: 100 such
/// writes 40–46 ms, serial or on 4–64 threads), which capped the group benchmark at 1,000–4,200
/// commits/s. Overwriting a slot of an existing file in place needs no block allocation, rename or
/// directory fsync, and concurrent fsyncs of such files share journal commits and device flushes: 100
/// writes take 10 ms on one thread and 3.5–4 ms on 8–32 threads. A write therefore puts the new version
/// into the slot of the version before last (<c>version &amp; 1</c>) and fsyncs; a whole new file
/// (temp, fsync, rename, directory fsync) is written only for a grain's first write or when the state
/// outgrows its slot (capacity doubles, so rarely).
/// </para>
/// <para>
/// Group commit: writes are queued to <see cref="StateFileWriter"/>, a fixed set of dedicated threads, so
/// the blocking fsyncs never hold Orleans scheduler or thread-pool threads and concurrent writes of
/// different grains share flushes. A write's task completes only after its fsync returned.
/// </para>
/// <para>
/// Crash behaviour: a reader after kill -9 or power loss sees the old or the new version, never a torn
/// one — a torn slot fails its CRC-32C and the other slot holds the previous acknowledged version.
/// </para>
/// <para>
/// Concurrency control: ETags are checked (<see cref="InconsistentStateException"/> on mismatch, like the
/// ADO.NET provider) against versions cached per file, loaded from disk on the first read or write and
/// advanced by each successful write. A failed write drops the cache entry, so the next access reloads
/// what the disk holds. Thread-safety: any thread; Orleans serializes calls per grain, and the cache
/// entry's lock rejects a second concurrent write to the same file.
/// </para>
/// <para>
/// Files of the earlier single-version layout (<c>.state</c>: 4-byte little-endian version, then the
/// state) are still read; the first write replaces one with a <c>.slots</c> file.
/// </para>
/// </remarks>
internal sealed partial class FileGrainStorage : IGrainStorage, IDisposable
{
    /// <summary>
    /// Sync threads. Measured on the 2-core ext4 dev VM, 100 slot writes: 10 ms on 1 thread, 4.0 ms on 8,
    /// 3.4–3.8 ms on 16–32; 8 gets nearly all of the overlap without parking more threads.
    /// </summary>
    internal const int DefaultSyncThreads = 8;

    private readonly string _rootDirectory;
    private readonly Serializer _serializer;
    private readonly ILogger<FileGrainStorage> _logger;
    private readonly StateFileWriter _writer;
    private readonly ConcurrentDictionary<string, CachedVersion> _versions = new(StringComparer.Ordinal);

    /// <param name="rootDirectory">Where the state files live.</param>
    /// <param name="serializer">Orleans' serializer for the states.</param>
    /// <param name="logger">Logger.</param>
    /// <param name="flushToDisk">fsyncs a file or directory handle; tests inject delays and faults. Defaults to <see cref="RandomAccess.FlushToDisk"/>.</param>
    /// <param name="syncThreads">Dedicated threads that write and fsync.</param>
    public FileGrainStorage(
        string rootDirectory,
        Serializer serializer,
        ILogger<FileGrainStorage> logger,
        Action<SafeFileHandle, string>? flushToDisk = null,
        int syncThreads = DefaultSyncThreads)
    {
        _rootDirectory = rootDirectory;
        _serializer = serializer;
        _logger = logger;
        _writer = new StateFileWriter(syncThreads, flushToDisk ?? FlushToDisk);
    }

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        LoadedState loaded = await LoadAsync(path).ConfigureAwait(false);
        _versions[path] = new CachedVersion(loaded.Version, loaded.SlotCapacity);
        if (loaded.Version == 0)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
            return;
        }

        grainState.State = _serializer.Deserialize<T>(loaded.Body);
        grainState.ETag = loaded.Version.ToString(CultureInfo.InvariantCulture);
        grainState.RecordExists = true;
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        CachedVersion cached = await BeginWriteAsync(path, grainState.ETag).ConfigureAwait(false);
        try
        {
            int next = cached.Version + 1;
            byte[] record = GrainStateFile.EncodeSlot(next, _serializer.SerializeToArray(grainState.State));
            bool createFile = record.Length > cached.SlotCapacity;
            int capacity = createFile ? GrainStateFile.SlotCapacityFor(record.Length) : cached.SlotCapacity;
            var write = new StateFileWrite(path, next, record, capacity, createFile, createFile ? LegacyPathFor(path) : null);
            _writer.Enqueue(write);
            await write.Completion.Task.ConfigureAwait(false);
            cached.EndWrite(next, capacity);
            grainState.ETag = next.ToString(CultureInfo.InvariantCulture);
            grainState.RecordExists = true;
        }
        catch
        {
            _versions.TryRemove(KeyValuePair.Create(path, cached));
            throw;
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        string path = PathFor(stateName, grainId);
        CachedVersion cached = await BeginWriteAsync(path, grainState.ETag).ConfigureAwait(false);
        try
        {
            if (cached.Version != 0)
            {
                var delete = new StateFileWrite(path, 0, record: null, 0, createFile: false, LegacyPathFor(path));
                _writer.Enqueue(delete);
                await delete.Completion.Task.ConfigureAwait(false);
            }

            cached.EndWrite(0, 0);
        }
        catch
        {
            _versions.TryRemove(KeyValuePair.Create(path, cached));
            throw;
        }

        grainState.ETag = null;
        grainState.RecordExists = false;
        grainState.State = Activator.CreateInstance<T>();
        LogCleared(_logger, grainId.ToString(), stateName);
    }

    private static void FlushToDisk(SafeFileHandle handle, string path) => RandomAccess.FlushToDisk(handle);

    /// <summary>Stops the sync threads after the queued writes; writes after this fail.</summary>
    public void Dispose() => _writer.Dispose();

    /// <summary>Checks the ETag against the cached (or, the first time, loaded) version and marks the file as being written.</summary>
    private async Task<CachedVersion> BeginWriteAsync(string path, string? etag)
    {
        if (!_versions.TryGetValue(path, out CachedVersion? cached))
        {
            LoadedState loaded = await LoadAsync(path).ConfigureAwait(false);
            cached = _versions.GetOrAdd(path, new CachedVersion(loaded.Version, loaded.SlotCapacity));
        }

        cached.BeginWrite(path, etag);
        return cached;
    }

    private async Task<LoadedState> LoadAsync(string path)
    {
        if (File.Exists(path))
        {
            byte[] file = await File.ReadAllBytesAsync(path).ConfigureAwait(false);
            (int version, int capacity, ReadOnlyMemory<byte> body) = GrainStateFile.Decode(path, file);
            return new LoadedState(version, capacity, body);
        }

        string legacy = LegacyPathFor(path);
        if (File.Exists(legacy))
        {
            byte[] bytes = await File.ReadAllBytesAsync(legacy).ConfigureAwait(false);
            if (bytes.Length < 4)
            {
                throw new InvalidDataException($"Grain state file {legacy} is {bytes.Length} bytes long; expected at least 4.");
            }

            // Slot capacity 0: the first write creates a .slots file.
            return new LoadedState(BitConverter.ToInt32(bytes, 0), 0, bytes.AsMemory(4));
        }

        return new LoadedState(0, 0, default);
    }

    private static string LegacyPathFor(string path) => Path.ChangeExtension(path, ".state");

    private string PathFor(string stateName, GrainId grainId)
    {
        string key = grainId.Key.ToString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..32];
        return Path.Combine(_rootDirectory, Sanitize(stateName), Sanitize(grainId.Type.ToString()), hash + ".slots");
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

    private readonly record struct LoadedState(int Version, int SlotCapacity, ReadOnlyMemory<byte> Body);

    /// <summary>The durable version of one file as this process last wrote or read it; locked on itself.</summary>
    private sealed class CachedVersion(int version, int slotCapacity)
    {
        private bool _writing;

        public int Version { get; private set; } = version;

        public int SlotCapacity { get; private set; } = slotCapacity;

        public void BeginWrite(string path, string? etag)
        {
            lock (this)
            {
                string? expected = Version == 0 ? null : Version.ToString(CultureInfo.InvariantCulture);
                if (!string.Equals(etag, expected, StringComparison.Ordinal))
                {
                    throw new InconsistentStateException(
                        $"Grain state {path} changed underneath: ETag expected '{expected ?? "<none>"}', grain had '{etag ?? "<none>"}'.",
                        expected ?? string.Empty,
                        etag ?? string.Empty);
                }

                if (_writing)
                {
                    throw new InconsistentStateException(
                        $"Grain state {path} is being written by another caller at version {expected ?? "<none>"}.",
                        expected ?? string.Empty,
                        etag ?? string.Empty);
                }

                _writing = true;
            }
        }

        public void EndWrite(int version, int slotCapacity)
        {
            lock (this)
            {
                Version = version;
                SlotCapacity = slotCapacity;
                _writing = false;
            }
        }
    }
}
