namespace OrleansLog.Storage.Tests.TestSupport;

/// <summary>A fresh directory under the system temp folder, deleted on dispose; each test owns one.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory()
    {
        Root = Path.Combine(Path.GetTempPath(), "orleanslog-storage-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A partition directory path inside the root (not created).</summary>
    public string Partition(string topic = "orders", int partition = 0) => Path.Combine(Root, $"{topic}-{partition}");

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
