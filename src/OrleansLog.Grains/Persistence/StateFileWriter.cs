using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;

namespace OrleansLog.Grains.Persistence;

/// <summary>
/// The blocking half of <see cref="FileGrainStorage"/>: a fixed set of dedicated threads that take queued
/// <see cref="StateFileWrite"/>s, write and fsync them, and complete their waiters. Concurrent fsyncs of
/// different files are group-committed by the kernel (ext4 folds them into one journal commit and one
/// device flush), so N threads give about N writes per flush without a hand-rolled commit round.
/// </summary>
/// <remarks>
/// Bounds: the queue holds at most one write per grain activation (Orleans runs one turn per grain at a
/// time and a turn awaits its write), so it is bounded by the number of activations; the thread count is
/// fixed. A failed write fails only its own waiter. Never runs on the Orleans scheduler.
/// Thread-safety: <see cref="Enqueue"/> may be called from any thread.
/// </remarks>
internal sealed class StateFileWriter : IDisposable
{
    private readonly BlockingCollection<StateFileWrite> _queue = [];
    private readonly Thread[] _threads;
    private readonly Action<SafeFileHandle, string> _flushToDisk;

    /// <param name="threads">Dedicated sync threads.</param>
    /// <param name="flushToDisk">fsyncs a file or directory handle (the path is for fault injection and messages).</param>
    public StateFileWriter(int threads, Action<SafeFileHandle, string> flushToDisk)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1);
        _flushToDisk = flushToDisk;
        _threads = new Thread[threads];
        for (int i = 0; i < threads; i++)
        {
            _threads[i] = new Thread(Run) { IsBackground = true, Name = "olog-state-sync-" + i };
            _threads[i].Start();
        }
    }

    /// <summary>Queues <paramref name="write"/>; its <see cref="StateFileWrite.Completion"/> says when it is durable.</summary>
    public void Enqueue(StateFileWrite write)
    {
        try
        {
            _queue.Add(write);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ObjectDisposedException)
        {
            write.Completion.TrySetException(new ObjectDisposedException(nameof(FileGrainStorage), $"Grain state write to {write.Path} after the storage was disposed."));
        }
    }

    /// <summary>Stops taking writes, lets the threads finish the queued ones and waits for them.</summary>
    public void Dispose()
    {
        _queue.CompleteAdding();
        foreach (Thread thread in _threads)
        {
            thread.Join();
        }

        _queue.Dispose();
    }

    private void Run()
    {
        foreach (StateFileWrite write in _queue.GetConsumingEnumerable())
        {
            try
            {
                Execute(write);
                write.Completion.TrySetResult();
            }
            catch (Exception ex)
            {
                write.Completion.TrySetException(ex);
            }
        }
    }

    private void Execute(StateFileWrite write)
    {
        string directory = Path.GetDirectoryName(write.Path)!;
        if (write.Record is null)
        {
            File.Delete(write.Path);
            if (write.LegacyPath is not null)
            {
                File.Delete(write.LegacyPath);
            }

            FsyncDirectory(directory);
            return;
        }

        if (!write.CreateFile)
        {
            // The slot overwritten holds the version before last; the last one stays intact in the other slot.
            using SafeFileHandle handle = File.OpenHandle(write.Path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            RandomAccess.Write(handle, write.Record, GrainStateFile.SlotPosition(write.Version, write.SlotCapacity));
            _flushToDisk(handle, write.Path);
            return;
        }

        Directory.CreateDirectory(directory);
        string temp = write.Path + ".tmp";
        using (SafeFileHandle handle = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            RandomAccess.Write(handle, GrainStateFile.NewFile(write.Version, write.Record, write.SlotCapacity), 0);
            _flushToDisk(handle, temp);
        }

        File.Move(temp, write.Path, overwrite: true);
        FsyncDirectory(directory);
        if (write.LegacyPath is not null && File.Exists(write.LegacyPath))
        {
            // The new file is durable and newer, so a crash before this delete lands only leaves a stale file the reader ignores.
            File.Delete(write.LegacyPath);
        }
    }

    /// <summary>Makes a rename or delete durable: on Linux the directory entry is only persisted by fsyncing the directory.</summary>
    private void FsyncDirectory(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        SafeFileHandle handle;
        try
        {
            handle = File.OpenHandle(directory, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            // Some file systems refuse to open directories; the rename is then as durable as they make it.
            return;
        }

        using (handle)
        {
            _flushToDisk(handle, directory);
        }
    }
}
