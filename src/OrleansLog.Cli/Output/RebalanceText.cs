namespace OrleansLog.Cli.Output;

/// <summary>
/// The text form of <c>cluster rebalance</c>: a table with a row per move (topic, partition,
/// <c>from → to</c>; an ERROR column only when a move did not start), or one line when nothing moves.
/// </summary>
internal static class RebalanceText
{
    public const string Balanced = "The cluster is already balanced: no partition moves.";

    public static void Write(IReadOnlyList<ReplicaMove> moves, TextWriter writer)
    {
        if (moves.Count == 0)
        {
            writer.WriteLine(Balanced);
            return;
        }

        bool anyError = moves.Any(m => m.Error != ErrorCode.None);
        TextTable table = anyError
            ? new TextTable("TOPIC", "PARTITION", "REPLICAS", "ERROR")
            : new TextTable("TOPIC", "PARTITION", "REPLICAS");
        foreach (ReplicaMove move in moves)
        {
            string[] cells = [move.Topic, move.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture), ReplicaText.Move(move.From, move.To)];
            table.AddRow(anyError ? [.. cells, move.Error == ErrorCode.None ? "-" : move.Error.ToString()] : cells);
        }

        table.WriteTo(writer);
    }

    /// <summary>
    /// The failure to report after the table when some moves did not start: the first one's code, and every
    /// such partition with its code; null when all started.
    /// </summary>
    public static CliException? Failure(IReadOnlyList<ReplicaMove> moves)
    {
        ReplicaMove[] failed = [.. moves.Where(m => m.Error != ErrorCode.None)];
        if (failed.Length == 0)
        {
            return null;
        }

        string which = string.Join(", ", failed.Select(m => $"{m.Topic}-{m.Partition} ({m.Error})"));
        return new CliException(failed[0].Error, $"{failed.Length} of {moves.Count} reassignments did not start: {which}");
    }
}
