using System.Buffers.Binary;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Win32.SafeHandles;
using Orleans.Serialization;
using Orleans.Storage;
using OrleansLog.Grains.Persistence;
using Xunit;

namespace OrleansLog.Grains.Tests.Persistence;

/// <summary>
/// Protects the embedded grain storage: a write completes only after its data is fsynced; what was
/// acknowledged is read back after reopening (many concurrent writers included); a torn slot falls back to
/// the previous acknowledged version instead of a torn one; ETags reject stale writers; a failing write
/// fails only its own waiter; states outgrowing their slot, clears, and files of the earlier layout work.
/// </summary>
public sealed class FileGrainStorageTests : IDisposable
{
    private const string StateName = "olog";
    private static readonly Serializer Serializer =
        new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private readonly string _root = Path.Combine(Path.GetTempPath(), "olog-fgs-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    [Fact]
    public async Task Write_ThenReopen_ReadsTheLastWrittenStateAndETag()
    {
        GrainId grain = GrainId.Create("group", "g1");
        using (FileGrainStorage storage = Open())
        {
            var state = new GrainState<string> { State = "first" };
            await storage.WriteStateAsync(StateName, grain, state);
            Assert.Equal("1", state.ETag);
            state.State = "second";
            await storage.WriteStateAsync(StateName, grain, state);
            Assert.Equal("2", state.ETag);
            Assert.True(state.RecordExists);
        }

        using (FileGrainStorage reopened = Open())
        {
            GrainState<string> read = await ReadAsync(reopened, grain);
            Assert.Equal("second", read.State);
            Assert.Equal("2", read.ETag);
            Assert.True(read.RecordExists);

            read.State = "third";
            await reopened.WriteStateAsync(StateName, grain, read);
            Assert.Equal("third", (await ReadAsync(reopened, grain)).State);
        }
    }

    [Fact]
    public async Task Read_OfAGrainNeverWritten_IsEmptyWithoutETag()
    {
        using FileGrainStorage storage = Open();
        GrainState<List<string>> read = await ReadAsync<List<string>>(storage, GrainId.Create("group", "nobody"));
        Assert.Empty(read.State!);
        Assert.Null(read.ETag);
        Assert.False(read.RecordExists);
    }

    [Fact]
    public async Task Write_WithAStaleETag_ThrowsInconsistentState_AndKeepsTheNewerState()
    {
        GrainId grain = GrainId.Create("group", "g1");
        using FileGrainStorage storage = Open();
        GrainState<List<string>> first = await ReadAsync<List<string>>(storage, grain);
        GrainState<List<string>> second = await ReadAsync<List<string>>(storage, grain);
        first.State = ["winner"];
        await storage.WriteStateAsync(StateName, grain, first);

        second.State = ["loser"];
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grain, second));

        // Another process's storage (no cache) checks against the file.
        using FileGrainStorage other = Open();
        var stale = new GrainState<List<string>> { State = ["stale"], ETag = null };
        await Assert.ThrowsAsync<InconsistentStateException>(() => other.WriteStateAsync(StateName, grain, stale));
        Assert.Equal(["winner"], (await ReadAsync<List<string>>(storage, grain)).State);
    }

    [Fact]
    public async Task ManyConcurrentWritersOfDifferentGrains_AreAllDurableAndReadableAfterReopen()
    {
        const int grains = 200;
        const int writesEach = 5;
        using (FileGrainStorage storage = Open())
        {
            var writers = new Task[grains];
            for (int g = 0; g < grains; g++)
            {
                GrainId grain = GrainId.Create("group", "g" + g);
                writers[g] = Task.Run(async () =>
                {
                    var state = new GrainState<string>();
                    for (int w = 1; w <= writesEach; w++)
                    {
                        state.State = $"{grain}:{w}";
                        await storage.WriteStateAsync(StateName, grain, state);
                    }
                }, TestContext.Current.CancellationToken);
            }

            await Task.WhenAll(writers);
        }

        using FileGrainStorage reopened = Open();
        for (int g = 0; g < grains; g++)
        {
            GrainId grain = GrainId.Create("group", "g" + g);
            GrainState<string> read = await ReadAsync(reopened, grain);
            Assert.Equal($"{grain}:{writesEach}", read.State);
            Assert.Equal("5", read.ETag);
        }
    }

    [Fact]
    public async Task Write_DoesNotCompleteBeforeItsFsyncReturns_ForNewFilesAndInPlaceWrites()
    {
        using var release = new ManualResetEventSlim(false);
        TaskCompletionSource<string>? flushing = null;
        void GatedFlush(SafeFileHandle handle, string path)
        {
            TaskCompletionSource<string>? armed = Volatile.Read(ref flushing);
            if (armed is not null && armed.TrySetResult(path))
            {
                release.Wait();
            }

            RandomAccess.FlushToDisk(handle);
        }

        GrainId grain = GrainId.Create("group", "g1");
        using FileGrainStorage storage = Open(GatedFlush);
        var state = new GrainState<string> { State = "v1" };
        for (int round = 1; round <= 2; round++)
        {
            // Arm the gate before the write that must pass through it.
            var armed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref flushing, armed);
            release.Reset();
            state.State = "v" + round;
            Task write = storage.WriteStateAsync(StateName, grain, state);

            string path = await armed.Task.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.False(write.IsCompleted, $"round {round}: the write completed while the fsync of {path} was still blocked");
            release.Set();
            await write.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            Assert.Equal(round.ToString(System.Globalization.CultureInfo.InvariantCulture), state.ETag);
        }
    }

    [Fact]
    public async Task AFailingWrite_FailsOnlyItsOwnWaiter()
    {
        using FileGrainStorage storage = Open();

        // A file where the grain type's directory should be makes every write of that type fail.
        Directory.CreateDirectory(Path.Combine(_root, StateName));
        await File.WriteAllTextAsync(Path.Combine(_root, StateName, "blocked"), "not a directory", TestContext.Current.CancellationToken);

        Task failing = storage.WriteStateAsync(StateName, GrainId.Create("blocked", "b"), new GrainState<string> { State = "x" });
        var healthy = new Task[20];
        for (int i = 0; i < healthy.Length; i++)
        {
            healthy[i] = storage.WriteStateAsync(StateName, GrainId.Create("group", "g" + i), new GrainState<string> { State = "ok" + i });
        }

        await Assert.ThrowsAnyAsync<IOException>(() => failing);
        await Task.WhenAll(healthy);
        for (int i = 0; i < healthy.Length; i++)
        {
            Assert.Equal("ok" + i, (await ReadAsync(storage, GrainId.Create("group", "g" + i))).State);
        }
    }

    [Fact]
    public async Task TornSlot_AfterACrash_ReadsThePreviousAcknowledgedVersion_AndWritesOnFromIt()
    {
        GrainId grain = GrainId.Create("group", "g1");

        // 1. Write two versions: v1 in slot 1, v2 in slot 0.
        using (FileGrainStorage storage = Open())
        {
            var state = new GrainState<string> { State = "v1" };
            await storage.WriteStateAsync(StateName, grain, state);
            state.State = "v2";
            await storage.WriteStateAsync(StateName, grain, state);
        }

        // 2. "Crash" during v2's write: damage one body byte of slot 0.
        string file = Assert.Single(Directory.GetFiles(_root, "*.slots", SearchOption.AllDirectories));
        byte[] bytes = await File.ReadAllBytesAsync(file, TestContext.Current.CancellationToken);
        Assert.Equal(2, BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(4)));
        bytes[GrainStateFile.SlotHeaderBytes + 1] ^= 0xFF;
        await File.WriteAllBytesAsync(file, bytes, TestContext.Current.CancellationToken);

        // 3. Recover: the reader sees v1, never the torn v2.
        using FileGrainStorage reopened = Open();
        GrainState<string> read = await ReadAsync(reopened, grain);
        Assert.Equal("v1", read.State);
        Assert.Equal("1", read.ETag);

        // 4. Write again from there, and recover again.
        read.State = "v2-again";
        await reopened.WriteStateAsync(StateName, grain, read);
        using FileGrainStorage again = Open();
        GrainState<string> reread = await ReadAsync(again, grain);
        Assert.Equal("v2-again", reread.State);
        Assert.Equal("2", reread.ETag);
    }

    [Fact]
    public async Task FileWithNoValidSlot_FailsTheReadLoudly()
    {
        GrainId grain = GrainId.Create("group", "g1");
        using (FileGrainStorage storage = Open())
        {
            await storage.WriteStateAsync(StateName, grain, new GrainState<string> { State = "v1" });
        }

        string file = Assert.Single(Directory.GetFiles(_root, "*.slots", SearchOption.AllDirectories));
        await File.WriteAllBytesAsync(file, new byte[2 * GrainStateFile.MinSlotBytes], TestContext.Current.CancellationToken);
        using FileGrainStorage reopened = Open();
        InvalidDataException error = await Assert.ThrowsAsync<InvalidDataException>(() => ReadAsync(reopened, grain));
        Assert.Contains(file, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StateOutgrowingItsSlot_MovesToALargerFile_AndReadsBack()
    {
        GrainId grain = GrainId.Create("group", "g1");
        string big = new('x', 3 * GrainStateFile.MinSlotBytes);
        using (FileGrainStorage storage = Open())
        {
            var state = new GrainState<string> { State = "small" };
            await storage.WriteStateAsync(StateName, grain, state);
            state.State = big;
            await storage.WriteStateAsync(StateName, grain, state);
            state.State = big + "y";
            await storage.WriteStateAsync(StateName, grain, state);
        }

        string file = Assert.Single(Directory.GetFiles(_root, "*.slots", SearchOption.AllDirectories));
        Assert.Equal(2 * 4 * GrainStateFile.MinSlotBytes, new FileInfo(file).Length);
        using FileGrainStorage reopened = Open();
        GrainState<string> read = await ReadAsync(reopened, grain);
        Assert.Equal(big + "y", read.State);
        Assert.Equal("3", read.ETag);
    }

    [Fact]
    public async Task Clear_DeletesTheFile_AndTheNextWriteStartsOver()
    {
        GrainId grain = GrainId.Create("group", "g1");
        using FileGrainStorage storage = Open();
        var state = new GrainState<List<string>> { State = ["v1"] };
        await storage.WriteStateAsync(StateName, grain, state);
        await storage.ClearStateAsync(StateName, grain, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        Assert.Empty(Directory.GetFiles(_root, "*.slots", SearchOption.AllDirectories));

        Assert.Empty(state.State!);
        state.State = ["after-clear"];
        await storage.WriteStateAsync(StateName, grain, state);
        Assert.Equal("1", state.ETag);
        using FileGrainStorage reopened = Open();
        Assert.Equal(["after-clear"], (await ReadAsync<List<string>>(reopened, grain)).State);
    }

    [Fact]
    public async Task FileOfTheEarlierLayout_IsRead_AndReplacedByTheFirstWrite()
    {
        GrainId grain = GrainId.Create("group", "g1");
        using (FileGrainStorage storage = Open())
        {
            await storage.WriteStateAsync(StateName, grain, new GrainState<string> { State = "seed" });
        }

        // Rewrite the state in the old layout: 4-byte little-endian version 7, then the serialized state.
        string slots = Assert.Single(Directory.GetFiles(_root, "*.slots", SearchOption.AllDirectories));
        string legacy = Path.ChangeExtension(slots, ".state");
        byte[] body = Serializer.SerializeToArray("legacy");
        byte[] old = new byte[4 + body.Length];
        BinaryPrimitives.WriteInt32LittleEndian(old, 7);
        body.CopyTo(old, 4);
        File.Delete(slots);
        await File.WriteAllBytesAsync(legacy, old, TestContext.Current.CancellationToken);

        using FileGrainStorage reopened = Open();
        GrainState<string> read = await ReadAsync(reopened, grain);
        Assert.Equal("legacy", read.State);
        Assert.Equal("7", read.ETag);

        read.State = "upgraded";
        await reopened.WriteStateAsync(StateName, grain, read);
        Assert.Equal("8", read.ETag);
        Assert.False(File.Exists(legacy), "the old-layout file should be gone once the new file is durable");
        Assert.Equal("upgraded", (await ReadAsync(reopened, grain)).State);
    }

    private FileGrainStorage Open(Action<SafeFileHandle, string>? flushToDisk = null) =>
        new(_root, Serializer, NullLogger<FileGrainStorage>.Instance, flushToDisk);

    private static Task<GrainState<string>> ReadAsync(FileGrainStorage storage, GrainId grain) => ReadAsync<string>(storage, grain);

    private static async Task<GrainState<T>> ReadAsync<T>(FileGrainStorage storage, GrainId grain)
    {
        var state = new GrainState<T>();
        await storage.ReadStateAsync(StateName, grain, state);
        return state;
    }
}
