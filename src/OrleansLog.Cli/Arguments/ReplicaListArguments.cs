namespace OrleansLog.Cli.Arguments;

/// <summary>
/// Turns <c>--replicas node-1,node-2,node-3</c> into the replica list of a reassignment, preferred leader
/// first. Only the shape is checked here (InvalidReplicaAssignment naming the entry, before connecting);
/// whether the nodes exist is the broker's call.
/// </summary>
internal static class ReplicaListArguments
{
    public static string[] Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw new CliException(ErrorCode.InvalidReplicaAssignment, "--replicas needs at least one node id (for example node-1,node-2,node-3)");
        }

        string[] replicas = value.Split(',', StringSplitOptions.TrimEntries);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < replicas.Length; i++)
        {
            if (replicas[i].Length == 0)
            {
                throw new CliException(ErrorCode.InvalidReplicaAssignment, $"--replicas '{value}' has an empty node id at position {i + 1}");
            }

            if (!seen.Add(replicas[i]))
            {
                throw new CliException(ErrorCode.InvalidReplicaAssignment, $"--replicas '{value}' names {replicas[i]} twice");
            }
        }

        return replicas;
    }
}
