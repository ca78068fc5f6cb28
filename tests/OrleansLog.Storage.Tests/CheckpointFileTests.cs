using OrleansLog.Storage.Tests.TestSupport;

namespace OrleansLog.Storage.Tests;

/// <summary>Protects the checkpoint files' Kafka text formats and their "unreadable means missing" rule.</summary>
public sealed class CheckpointFileTests
{
    [Fact]
    public void OffsetCheckpoint_RoundTrips_InKafkasFormat()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Root, LogFileNames.RecoveryPointCheckpoint);
        OffsetCheckpointFile.Write(PhysicalLogFileSystem.Instance, path, "orders", 3, 1500);
        Assert.Equal("0\n1\norders 3 1500\n", File.ReadAllText(path));
        Assert.Equal(1500, OffsetCheckpointFile.Read(PhysicalLogFileSystem.Instance, path, out string? problem));
        Assert.Null(problem);
        Assert.False(File.Exists(path + ".tmp"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("1\n1\norders 3 1500\n")]
    [InlineData("0\n1\norders 3\n")]
    [InlineData("0\n1\norders 3 x\n")]
    public void OffsetCheckpoint_Malformed_ReadsAsMissing(string content)
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Root, LogFileNames.LogStartOffsetCheckpoint);
        File.WriteAllText(path, content);
        Assert.Null(OffsetCheckpointFile.Read(PhysicalLogFileSystem.Instance, path, out string? problem));
        Assert.NotNull(problem);
    }

    [Fact]
    public void LeaderEpochCheckpoint_RoundTrips_AndRejectsNonMonotonicEntries()
    {
        using var temp = new TempDirectory();
        string path = Path.Combine(temp.Root, LogFileNames.LeaderEpochCheckpoint);
        LeaderEpochCheckpointFile.Write(PhysicalLogFileSystem.Instance, path, [new EpochEntry(0, 0), new EpochEntry(3, 150)]);
        Assert.Equal("0\n2\n0 0\n3 150\n", File.ReadAllText(path));
        Assert.Equal([new EpochEntry(0, 0), new EpochEntry(3, 150)], LeaderEpochCheckpointFile.Read(PhysicalLogFileSystem.Instance, path, out _));

        File.WriteAllText(path, "0\n2\n3 150\n2 160\n");
        Assert.Null(LeaderEpochCheckpointFile.Read(PhysicalLogFileSystem.Instance, path, out string? problem));
        Assert.Contains("does not follow", problem, StringComparison.Ordinal);
    }
}
