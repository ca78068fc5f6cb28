namespace OrleansLog.Grains.Persistence;

/// <summary>
/// One queued change to a grain state file, completed by a <see cref="StateFileWriter"/> thread once it is
/// durable (or failed). <see cref="Record"/> null means delete the file.
/// </summary>
internal sealed class StateFileWrite(string path, int version, byte[]? record, int slotCapacity, bool createFile, string? legacyPath)
{
    /// <summary>The <c>.slots</c> file.</summary>
    public string Path { get; } = path;

    /// <summary>The version being written; chooses the slot.</summary>
    public int Version { get; } = version;

    /// <summary>The encoded slot (<see cref="GrainStateFile.EncodeSlot"/>), or null to delete the file.</summary>
    public byte[]? Record { get; } = record;

    /// <summary>The file's slot capacity (the new file's when <see cref="CreateFile"/>).</summary>
    public int SlotCapacity { get; } = slotCapacity;

    /// <summary>Write a whole new file (temp, fsync, rename, fsync directory) instead of one slot in place.</summary>
    public bool CreateFile { get; } = createFile;

    /// <summary>A file of the old single-version layout to delete once the new file is durable, or null.</summary>
    public string? LegacyPath { get; } = legacyPath;

    /// <summary>Completes when the change is durable; continuations never run on the writer thread.</summary>
    public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
