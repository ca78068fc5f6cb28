namespace OrleansLog.Cli.LogTools;

/// <summary>One thing wrong in a log: the file, the byte position, and what was expected versus found.</summary>
internal sealed record LogProblem(string File, long Position, string What)
{
    public override string ToString() => $"{File} at position {Position}: {What}";
}
