namespace OrleansLog.Grains.Placement;

/// <summary>
/// Plans <c>olog cluster rebalance</c>: spreads each topic's replicas and preferred leaders (first
/// replicas) evenly over the live nodes while moving as few replicas as possible, e.g. after a node joined
/// or died. Pure and deterministic: the same live nodes and assignment give the same plan whatever order
/// they are passed in. Thread-safe: it keeps no state between calls.
/// <para>Each topic is balanced on its own, as Kafka assigns replicas per topic, so a topic's load is
/// spread over every node rather than one topic landing on the node that joined. Within a topic:</para>
/// <list type="number">
/// <item><b>Replicas.</b> With T replicas over N live nodes every node may hold ⌊T/N⌋, and T mod N of them
/// ⌈T/N⌉: the nodes that already hold the most replicas of the topic (then the fewest over all topics, then
/// node order). A replica stays on its node unless the node is not live or holds more than its share. A
/// moved replica goes to the least-loaded live node below its share that does not hold the partition yet
/// (ties: fewer replicas over all topics, then node order); followers move before preferred leaders. (If
/// every node lacking a partition whose replica must leave a dead node is full, the replica goes to the
/// least-loaded of them and that node sheds one in turn.) A replica leaving is removed from its list and the new node appended, so the surviving replicas keep their
/// order and the preferred leader stays unless it is the one that moves.</item>
/// <item><b>Preferred leaders.</b> Every live node should lead ⌊P/N⌋ or ⌈P/N⌉ of the topic's P partitions.
/// Leadership only moves inside a partition's replica list (a replica moves to the front), along the
/// shortest chain of such shifts from a node leading too many to one leading too few, so no partition is
/// reordered unless balance needs it.</item>
/// </list>
/// <para>A partition whose replication factor exceeds the live node count, or that is bound to no nodes,
/// cannot be placed and is left unchanged; it does not count toward any node's share either.</para>
/// </summary>
public static class ReplicaRebalancer
{
    /// <summary>One partition's replicas (node ids), preferred leader first.</summary>
    public sealed record PartitionReplicas(TopicPartition Partition, IReadOnlyList<string> Replicas);

    /// <summary>Plans the moves that balance <paramref name="assignment"/> over <paramref name="liveNodes"/>.</summary>
    /// <param name="liveNodes">The active node ids; order does not matter (they are compared ordinally).</param>
    /// <param name="assignment">Every partition of every topic to balance, with its current replicas.</param>
    /// <returns>
    /// The new replica list of each partition whose replicas change (as a set or in order), in topic and
    /// partition order; empty when the assignment is already balanced.
    /// </returns>
    /// <exception cref="ArgumentException">A node is listed twice, a partition is listed twice, or a partition names a node twice.</exception>
    public static IReadOnlyList<PartitionReplicas> Rebalance(IReadOnlyList<string> liveNodes, IReadOnlyList<PartitionReplicas> assignment)
    {
        ArgumentNullException.ThrowIfNull(liveNodes);
        ArgumentNullException.ThrowIfNull(assignment);
        string[] nodes = [.. liveNodes];
        Array.Sort(nodes, StringComparer.Ordinal);
        var nodeIndex = new Dictionary<string, int>(nodes.Length, StringComparer.Ordinal);
        for (int i = 0; i < nodes.Length; i++)
        {
            if (!nodeIndex.TryAdd(nodes[i], i))
            {
                throw new ArgumentException($"live node '{nodes[i]}' is listed twice", nameof(liveNodes));
            }
        }

        SortedDictionary<string, List<Slot>> topics = GroupByTopic(assignment);
        var plan = new Plan(nodes, nodeIndex);
        foreach (List<Slot> slots in topics.Values)
        {
            foreach (Slot slot in slots)
            {
                slot.Eligible = slot.Replicas.Count > 0 && slot.Replicas.Count <= nodes.Length;
                if (slot.Eligible)
                {
                    plan.Count(slot, +1);
                }
            }
        }

        var changes = new List<PartitionReplicas>();
        foreach (List<Slot> slots in topics.Values)
        {
            List<Slot> eligible = slots.FindAll(s => s.Eligible);
            if (eligible.Count == 0)
            {
                continue;
            }

            plan.BalanceReplicas(eligible);
            plan.BalanceLeaders(eligible);
            foreach (Slot slot in eligible)
            {
                if (!slot.Replicas.SequenceEqual(slot.Original, StringComparer.Ordinal))
                {
                    changes.Add(new PartitionReplicas(slot.Partition, [.. slot.Replicas]));
                }
            }
        }

        return changes;
    }

    private static SortedDictionary<string, List<Slot>> GroupByTopic(IReadOnlyList<PartitionReplicas> assignment)
    {
        var topics = new SortedDictionary<string, List<Slot>>(StringComparer.Ordinal);
        var seen = new HashSet<TopicPartition>();
        foreach (PartitionReplicas entry in assignment)
        {
            ArgumentNullException.ThrowIfNull(entry);
            if (!seen.Add(entry.Partition))
            {
                throw new ArgumentException($"{entry.Partition} is listed twice", nameof(assignment));
            }

            var distinct = new HashSet<string>(StringComparer.Ordinal);
            foreach (string replica in entry.Replicas)
            {
                if (!distinct.Add(replica))
                {
                    throw new ArgumentException(
                        $"{entry.Partition}: replicas [{string.Join(",", entry.Replicas)}] name node '{replica}' twice", nameof(assignment));
                }
            }

            if (!topics.TryGetValue(entry.Partition.Topic, out List<Slot>? slots))
            {
                slots = [];
                topics.Add(entry.Partition.Topic, slots);
            }

            slots.Add(new Slot(entry.Partition, [.. entry.Replicas]));
        }

        foreach (List<Slot> slots in topics.Values)
        {
            slots.Sort((a, b) => a.Partition.Partition.CompareTo(b.Partition.Partition));
        }

        return topics;
    }

    /// <summary>A partition being planned: its replicas as given and as they will be.</summary>
    private sealed class Slot(TopicPartition partition, string[] original)
    {
        public TopicPartition Partition { get; } = partition;

        public string[] Original { get; } = original;

        public List<string> Replicas { get; } = [.. original];

        /// <summary>Whether the partition can be placed: 1 ≤ replication factor ≤ live nodes.</summary>
        public bool Eligible { get; set; }

        public bool Holds(string node) => Replicas.Contains(node, StringComparer.Ordinal);
    }

    /// <summary>
    /// The live nodes and their load over all topics (replicas, preferred leaders), which break ties so
    /// that the nodes a topic leaves with one replica more or less differ from topic to topic.
    /// </summary>
    private sealed class Plan(string[] nodes, Dictionary<string, int> nodeIndex)
    {
        private readonly int[] _replicasOverall = new int[nodes.Length];
        private readonly int[] _leadsOverall = new int[nodes.Length];

        private int N => nodes.Length;

        public void Count(Slot slot, int delta)
        {
            for (int i = 0; i < slot.Replicas.Count; i++)
            {
                int node = IndexOf(slot.Replicas[i]);
                if (node >= 0)
                {
                    _replicasOverall[node] += delta;
                    if (i == 0)
                    {
                        _leadsOverall[node] += delta;
                    }
                }
            }
        }

        public void BalanceReplicas(List<Slot> slots)
        {
            int[] load = new int[N];
            int total = 0;
            foreach (Slot slot in slots)
            {
                total += slot.Replicas.Count;
                foreach (string replica in slot.Replicas)
                {
                    if (IndexOf(replica) is var node and >= 0)
                    {
                        load[node]++;
                    }
                }
            }

            int[] quota = Quotas(load, total);

            // Replicas on nodes that are gone must move, to the emptiest node even if every node that could
            // take one is at its share already (then a node over its share sheds a replica below).
            foreach (Slot slot in slots)
            {
                for (int i = 0; i < slot.Replicas.Count; i++)
                {
                    if (IndexOf(slot.Replicas[i]) < 0)
                    {
                        int target = Target(slot, load, quota, belowQuotaOnly: true);
                        Move(slot, i, target >= 0 ? target : Target(slot, load, quota, belowQuotaOnly: false), load);
                        i--;
                    }
                }
            }

            // Nodes over their share shed one replica each per round, so the partitions a joining node takes
            // come from every crowded node. A node over its share holds more replicas than any node under its
            // share, so some partition of it is missing there: every round moves at least one replica and the
            // loop ends with every node exactly at its share.
            bool moved = true;
            while (moved)
            {
                moved = false;
                for (int node = 0; node < N; node++)
                {
                    if (load[node] > quota[node] && TryShed(slots, node, load, quota))
                    {
                        moved = true;
                    }
                }
            }
        }

        public void BalanceLeaders(List<Slot> slots)
        {
            int[] leads = new int[N];
            foreach (Slot slot in slots)
            {
                leads[IndexOf(slot.Replicas[0])]++;
            }

            int floor = slots.Count / N;
            int ceil = floor + (slots.Count % N == 0 ? 0 : 1);

            // First bring nodes leading too many down to the ceiling, preferring to hand leadership to nodes
            // below the floor; then lift nodes still below the floor. Each shift moves one leadership from a
            // source to a target and leaves every node in between leading as many as before, so it lowers
            // the leaderships above the ceiling plus those missing below the floor by one: the loop ends.
            // It repeats because lifting a node can open a path that was not there for the first two steps
            // (possible only when a topic's partitions have different replication factors).
            bool shifted = true;
            while (shifted)
            {
                shifted = ShiftLeadership(slots, leads, source: l => l > ceil, target: l => l < floor);
                shifted |= ShiftLeadership(slots, leads, source: l => l > ceil, target: l => l < ceil);
                shifted |= ShiftLeadership(slots, leads, source: l => l > floor, target: l => l < floor);
            }
        }

        private int IndexOf(string node) => nodeIndex.TryGetValue(node, out int index) ? index : -1;

        /// <summary>⌊T/N⌋ each, plus one for the T mod N nodes holding the most of the topic already.</summary>
        private int[] Quotas(int[] load, int total)
        {
            int[] order = [.. Enumerable.Range(0, N)];
            Array.Sort(order, (a, b) =>
                load[a] != load[b] ? load[b].CompareTo(load[a])
                : _replicasOverall[a] != _replicasOverall[b] ? _replicasOverall[a].CompareTo(_replicasOverall[b])
                : a.CompareTo(b));
            int[] quota = new int[N];
            for (int k = 0; k < N; k++)
            {
                quota[order[k]] = (total / N) + (k < total % N ? 1 : 0);
            }

            return quota;
        }

        /// <summary>
        /// Moves one of <paramref name="node"/>'s replicas to a node below its share that lacks that
        /// partition. Replicas this plan put there come first (they hold no data yet, so moving them again
        /// costs nothing), then followers, so the preferred leader stays where it can.
        /// </summary>
        private bool TryShed(List<Slot> slots, int node, int[] load, int[] quota)
        {
            string id = nodes[node];
            for (int pass = 0; pass < 3; pass++)
            {
                foreach (Slot slot in slots)
                {
                    int position = slot.Replicas.IndexOf(id);
                    if (position < 0 || pass != ShedPass(slot, id, position))
                    {
                        continue;
                    }

                    int target = Target(slot, load, quota, belowQuotaOnly: true);
                    if (target >= 0)
                    {
                        Move(slot, position, target, load);
                        return true;
                    }
                }
            }

            return false;
        }

        private static int ShedPass(Slot slot, string node, int position) =>
            !slot.Original.Contains(node, StringComparer.Ordinal) ? 0 : position > 0 ? 1 : 2;

        /// <summary>The least-loaded live node without a replica of <paramref name="slot"/>; -1 if there is none.</summary>
        private int Target(Slot slot, int[] load, int[] quota, bool belowQuotaOnly)
        {
            int best = -1;
            for (int node = 0; node < N; node++)
            {
                if ((belowQuotaOnly && load[node] >= quota[node]) || slot.Holds(nodes[node]))
                {
                    continue;
                }

                if (best < 0
                    || load[node] < load[best]
                    || (load[node] == load[best] && _replicasOverall[node] < _replicasOverall[best]))
                {
                    best = node;
                }
            }

            // A partition holds fewer replicas than there are live nodes, so a node without it exists.
            if (best < 0 && !belowQuotaOnly)
            {
                throw new InvalidOperationException(
                    $"{slot.Partition}: no live node of [{string.Join(",", nodes)}] lacks a replica of [{string.Join(",", slot.Replicas)}]");
            }

            return best;
        }

        /// <summary>Replaces the replica at <paramref name="position"/> with <paramref name="target"/>, appended last.</summary>
        private void Move(Slot slot, int position, int target, int[] load)
        {
            Count(slot, -1);
            int from = IndexOf(slot.Replicas[position]);
            if (from >= 0)
            {
                load[from]--;
            }

            slot.Replicas.RemoveAt(position);
            slot.Replicas.Add(nodes[target]);
            load[target]++;
            Count(slot, +1);
        }

        /// <summary>
        /// Shifts leadership until no node matching <paramref name="source"/> can reach one matching
        /// <paramref name="target"/>; whether anything shifted.
        /// </summary>
        private bool ShiftLeadership(List<Slot> slots, int[] leads, Func<int, bool> source, Func<int, bool> target)
        {
            bool any = false;
            while (TryShiftLeadership(slots, leads, source, target))
            {
                any = true;
            }

            return any;
        }

        /// <summary>
        /// Finds the shortest chain source → … → target where each step is a partition led by one node and
        /// replicated on the next (breadth-first over nodes from every source, in node and partition order),
        /// and shifts each step's leadership one node along. Among targets equally far, the one leading the
        /// fewest partitions over all topics wins.
        /// </summary>
        private bool TryShiftLeadership(List<Slot> slots, int[] leads, Func<int, bool> source, Func<int, bool> target)
        {
            int[] sources = [.. Enumerable.Range(0, N).Where(n => source(leads[n]))];
            if (sources.Length == 0)
            {
                return false;
            }

            Array.Sort(sources, (a, b) =>
                leads[a] != leads[b] ? leads[b].CompareTo(leads[a])
                : _leadsOverall[a] != _leadsOverall[b] ? _leadsOverall[b].CompareTo(_leadsOverall[a])
                : a.CompareTo(b));
            var via = new Slot?[N];
            int[] parent = new int[N];
            bool[] visited = new bool[N];
            var level = new List<int>(sources);
            foreach (int s in sources)
            {
                visited[s] = true;
                parent[s] = -1;
            }

            while (level.Count > 0)
            {
                var next = new List<int>();
                int found = -1;
                foreach (int from in level)
                {
                    foreach (Slot slot in slots)
                    {
                        if (!string.Equals(slot.Replicas[0], nodes[from], StringComparison.Ordinal))
                        {
                            continue;
                        }

                        for (int i = 1; i < slot.Replicas.Count; i++)
                        {
                            int to = IndexOf(slot.Replicas[i]);
                            if (visited[to])
                            {
                                continue;
                            }

                            visited[to] = true;
                            parent[to] = from;
                            via[to] = slot;
                            next.Add(to);
                            if (target(leads[to]) && (found < 0 || _leadsOverall[to] < _leadsOverall[found]))
                            {
                                found = to;
                            }
                        }
                    }
                }

                if (found >= 0)
                {
                    for (int to = found; parent[to] >= 0; to = parent[to])
                    {
                        Slot slot = via[to]!;
                        Count(slot, -1);
                        slot.Replicas.Remove(nodes[to]);
                        slot.Replicas.Insert(0, nodes[to]);
                        Count(slot, +1);
                        leads[to]++;
                        leads[parent[to]]--;
                    }

                    return true;
                }

                level = next;
            }

            return false;
        }
    }
}
