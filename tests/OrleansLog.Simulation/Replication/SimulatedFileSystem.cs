using OrleansLog.Storage;

namespace OrleansLog.Simulation.Replication;

/// <summary>
/// One node's disk, in memory, that knows which bytes are durable: a file's content becomes durable at its
/// fsync, a creation, rename or deletion at the fsync of its directory. <see cref="PowerCut"/> keeps only
/// what was durable (plus, at random, a prefix of what was appended after it: a torn write), as a machine
/// that loses power does; <see cref="Kill"/> keeps everything written, as a process killed with -9 does (the
/// page cache survives). Handles opened before either refuse further use. Single-threaded, as the
/// simulation is.
/// </summary>
internal sealed class SimulatedFileSystem : ILogFileSystem
{
    private readonly Dictionary<string, FileNode> _entries = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FileNode> _durableEntries = new(StringComparer.Ordinal);
    private readonly HashSet<string> _directories = new(StringComparer.Ordinal);
    private int _generation;

    /// <summary>Every file fsync fails with EIO (a failing disk) while set.</summary>
    public bool FailFsync { get; set; }

    /// <summary>Every write fails with ENOSPC, after landing a part of its bytes, while set.</summary>
    public bool DiskFull { get; set; }

    /// <summary>Bytes written so far (for the simulation's statistics).</summary>
    public long BytesWritten { get; private set; }

    public ILogFile OpenFile(string path, FileMode mode)
    {
        bool exists = _entries.TryGetValue(path, out FileNode? node);
        switch (mode)
        {
            case FileMode.Open when !exists:
                throw new FileNotFoundException($"Could not find file '{path}'.", path);
            case FileMode.CreateNew when exists:
                throw new IOException($"The file '{path}' already exists.");
            case FileMode.Create when exists:
                node!.SetLength(0);
                break;
        }

        if (!exists)
        {
            if (!_directories.Contains(Parent(path)))
            {
                throw new DirectoryNotFoundException($"Could not find a part of the path '{path}'.");
            }

            node = new FileNode();
            _entries[path] = node;
        }

        return new SimulatedFile(this, path, node!, _generation);
    }

    public bool FileExists(string path) => _entries.ContainsKey(path);

    public bool DirectoryExists(string path) => _directories.Contains(Trim(path));

    public void CreateDirectory(string path)
    {
        // Directories themselves are durable at once (the simulation's logs live in directories made before the run).
        for (string? directory = Trim(path); !string.IsNullOrEmpty(directory); directory = Path.GetDirectoryName(directory))
        {
            _directories.Add(directory);
        }
    }

    public IReadOnlyList<string> GetFileNames(string directory)
    {
        string prefix = Trim(directory) + Path.DirectorySeparatorChar;
        return [.. _entries.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal) && p.IndexOf(Path.DirectorySeparatorChar, prefix.Length) < 0)
            .Select(p => p[prefix.Length..]).Order(StringComparer.Ordinal)];
    }

    public void DeleteFile(string path) => _entries.Remove(path);

    public void MoveFile(string source, string destination, bool overwrite)
    {
        if (!_entries.Remove(source, out FileNode? node))
        {
            throw new FileNotFoundException($"Could not find file '{source}'.", source);
        }

        if (!overwrite && _entries.ContainsKey(destination))
        {
            _entries[source] = node;
            throw new IOException($"The file '{destination}' already exists.");
        }

        _entries[destination] = node;
    }

    public void DeleteDirectory(string path)
    {
        string prefix = Trim(path) + Path.DirectorySeparatorChar;
        foreach (string file in _entries.Keys.Where(p => p.StartsWith(prefix, StringComparison.Ordinal)).ToList())
        {
            _entries.Remove(file);
        }

        _directories.RemoveWhere(d => d == Trim(path) || d.StartsWith(prefix, StringComparison.Ordinal));
    }

    public void FlushDirectory(string directory)
    {
        string trimmed = Trim(directory);
        foreach (string path in _durableEntries.Keys.Where(p => Parent(p) == trimmed).ToList())
        {
            _durableEntries.Remove(path);
        }

        foreach ((string path, FileNode node) in _entries.Where(e => Parent(e.Key) == trimmed))
        {
            _durableEntries[path] = node;
        }
    }

    /// <summary>The OS wrote every dirty page and directory back (what happens anyway, sooner or later).</summary>
    public void WriteBack()
    {
        _durableEntries.Clear();
        foreach ((string path, FileNode node) in _entries)
        {
            node.Sync();
            _durableEntries[path] = node;
        }
    }

    /// <summary>The process died; the OS keeps every byte it was given. Open handles stop working.</summary>
    public void Kill() => _generation++;

    /// <summary>
    /// The machine lost power: files and directory entries go back to their last fsync; a file whose
    /// unsynced bytes only extended it keeps, at random, a prefix of them (a torn write). Open handles stop working.
    /// </summary>
    public void PowerCut(Random random)
    {
        _generation++;
        _entries.Clear();
        foreach ((string path, FileNode node) in _durableEntries)
        {
            node.LoseUnsynced(random);
            _entries[path] = node;
        }
    }

    private static string Trim(string path) => Path.TrimEndingDirectorySeparator(path);

    private static string Parent(string path) => Path.GetDirectoryName(path) ?? string.Empty;

    private sealed class FileNode
    {
        private byte[] _data = new byte[256];
        private byte[] _durable = [];

        public int Length { get; private set; }

        public int Read(Span<byte> buffer, long position)
        {
            if (position >= Length)
            {
                return 0;
            }

            int count = (int)Math.Min(buffer.Length, Length - position);
            _data.AsSpan((int)position, count).CopyTo(buffer);
            return count;
        }

        public void Write(ReadOnlySpan<byte> buffer, long position)
        {
            long end = position + buffer.Length;
            EnsureCapacity(end);
            if (position > Length)
            {
                _data.AsSpan(Length, (int)position - Length).Clear();
            }

            buffer.CopyTo(_data.AsSpan((int)position));
            Length = (int)Math.Max(Length, end);
        }

        public void SetLength(long length)
        {
            EnsureCapacity(length);
            if (length > Length)
            {
                _data.AsSpan(Length, (int)length - Length).Clear();
            }

            Length = (int)length;
        }

        public void Sync() => _durable = _data.AsSpan(0, Length).ToArray();

        public void LoseUnsynced(Random random)
        {
            int keep = _durable.Length;
            if (Length > _durable.Length && _data.AsSpan(0, _durable.Length).SequenceEqual(_durable) && random.Next(3) == 0)
            {
                keep = random.Next(_durable.Length, Length + 1);
            }
            else
            {
                _durable.CopyTo(_data, 0);
            }

            Length = keep;
            _durable = _data.AsSpan(0, keep).ToArray();
        }

        private void EnsureCapacity(long length)
        {
            if (length > _data.Length)
            {
                Array.Resize(ref _data, (int)Math.Max(length, _data.Length * 2L));
            }
        }
    }

    private sealed class SimulatedFile(SimulatedFileSystem owner, string path, FileNode node, int generation) : ILogFile
    {
        public string Path { get; } = path;

        public long Length
        {
            get
            {
                ThrowIfGone();
                return node.Length;
            }
        }

        public int Read(Span<byte> buffer, long position)
        {
            ThrowIfGone();
            return node.Read(buffer, position);
        }

        public void Write(ReadOnlySpan<byte> buffer, long position)
        {
            ThrowIfGone();
            if (owner.DiskFull)
            {
                int landed = buffer.Length / 2;
                node.Write(buffer[..landed], position);
                // HResult 28: ENOSPC as .NET reports it on Linux, so the log treats it as a full disk.
                throw new IOException($"No space left on device (ENOSPC, simulated): wrote {landed} of {buffer.Length} bytes to '{Path}'.", 28);
            }

            node.Write(buffer, position);
            owner.BytesWritten += buffer.Length;
        }

        public void Flush()
        {
            ThrowIfGone();
            if (owner.FailFsync)
            {
                throw new IOException($"Input/output error (EIO, simulated) on fsync of '{Path}'.");
            }

            node.Sync();
        }

        public void SetLength(long length)
        {
            ThrowIfGone();
            node.SetLength(length);
        }

        public void Dispose()
        {
        }

        private void ThrowIfGone()
        {
            if (generation != owner._generation)
            {
                throw new ObjectDisposedException(Path, "The process that opened this file is gone.");
            }
        }
    }
}
