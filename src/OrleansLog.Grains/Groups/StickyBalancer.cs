namespace OrleansLog.Grains.Groups;

/// <summary>
/// The core of the sticky assignors (KIP-54): a balanced assignment that keeps as many partitions with
/// their current owners as balance allows. Three steps: keep every valid current claim (the first member
/// in <see cref="MemberOrder"/> wins a partition claimed twice); give each unclaimed partition to the
/// subscribed member with the fewest partitions (partitions with the fewest candidates first); then move
/// one partition at a time from the fullest member to the emptiest subscribed member while they differ by
/// two or more. Each move lowers the sum of squared counts, so the loop ends; with identical subscriptions
/// it ends perfectly balanced (counts differ by at most one) after the fewest possible moves.
/// </summary>
internal static class StickyBalancer
{
    public static Dictionary<string, List<TopicPartition>> Assign(
        AssignmentContext context,
        Func<AssignorMember, IReadOnlyList<TopicPartition>> currentClaims)
    {
        IReadOnlyList<AssignorMember> members = context.Members;
        var owned = new Dictionary<string, SortedSet<TopicPartition>>(StringComparer.Ordinal);
        var taken = new HashSet<TopicPartition>();
        foreach (AssignorMember member in members)
        {
            var set = new SortedSet<TopicPartition>(TopicPartitionOrder.Instance);
            owned.Add(member.MemberId, set);
            var claims = new List<TopicPartition>(currentClaims(member));
            claims.Sort(TopicPartitionOrder.Instance);
            foreach (TopicPartition partition in claims)
            {
                if (context.MayOwn(member, partition) && taken.Add(partition))
                {
                    set.Add(partition);
                }
            }
        }

        PlaceUnclaimed(context, owned, taken);
        while (TryMoveOne(context, owned))
        {
        }

        var result = new Dictionary<string, List<TopicPartition>>(StringComparer.Ordinal);
        foreach (AssignorMember member in members)
        {
            result.Add(member.MemberId, [.. owned[member.MemberId]]);
        }

        return result;
    }

    private static void PlaceUnclaimed(
        AssignmentContext context,
        Dictionary<string, SortedSet<TopicPartition>> owned,
        HashSet<TopicPartition> taken)
    {
        var candidates = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string topic in context.Topics)
        {
            int count = 0;
            foreach (AssignorMember member in context.Members)
            {
                if (context.Subscribes(member, topic))
                {
                    count++;
                }
            }

            candidates.Add(topic, count);
        }

        var unclaimed = new List<TopicPartition>();
        foreach (TopicPartition partition in context.Partitions)
        {
            if (!taken.Contains(partition))
            {
                unclaimed.Add(partition);
            }
        }

        // Partitions with fewer possible owners go first, while those owners still have room.
        unclaimed.Sort((a, b) =>
        {
            int byCandidates = candidates[a.Topic].CompareTo(candidates[b.Topic]);
            return byCandidates != 0 ? byCandidates : TopicPartitionOrder.Instance.Compare(a, b);
        });
        foreach (TopicPartition partition in unclaimed)
        {
            AssignorMember? emptiest = null;
            foreach (AssignorMember member in context.Members)
            {
                if (context.Subscribes(member, partition.Topic)
                    && (emptiest is null || owned[member.MemberId].Count < owned[emptiest.MemberId].Count))
                {
                    emptiest = member;
                }
            }

            owned[emptiest!.MemberId].Add(partition);
        }
    }

    private static bool TryMoveOne(AssignmentContext context, Dictionary<string, SortedSet<TopicPartition>> owned)
    {
        var fullestFirst = new List<AssignorMember>(context.Members);
        fullestFirst.Sort((a, b) =>
        {
            int byCount = owned[b.MemberId].Count.CompareTo(owned[a.MemberId].Count);
            return byCount != 0 ? byCount : MemberOrder.Instance.Compare(a, b);
        });
        for (int f = 0; f < fullestFirst.Count; f++)
        {
            AssignorMember from = fullestFirst[f];
            SortedSet<TopicPartition> source = owned[from.MemberId];
            for (int t = fullestFirst.Count - 1; t > f; t--)
            {
                AssignorMember to = fullestFirst[t];
                if (source.Count - owned[to.MemberId].Count < 2)
                {
                    break;
                }

                foreach (TopicPartition partition in source.Reverse())
                {
                    if (context.Subscribes(to, partition.Topic))
                    {
                        source.Remove(partition);
                        owned[to.MemberId].Add(partition);
                        return true;
                    }
                }
            }
        }

        return false;
    }
}
