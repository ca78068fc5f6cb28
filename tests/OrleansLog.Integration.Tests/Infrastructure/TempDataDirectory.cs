namespace OrleansLog.Integration.Tests.Infrastructure;

/// <summary>A data directory of its own for one test, removed with everything in it when disposed.</summary>
internal sealed class TempDataDirectory : IDisposable
{
    public TempDataDirectory(string prefix) =>
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"olog-{prefix}-{Guid.NewGuid().ToString("N")[..8]}");

    public string Path { get; }

    public override string ToString() => Path;

    public void Dispose()
    {
        if (Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
