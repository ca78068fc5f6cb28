namespace OrleansLog.Grains.Persistence;

/// <summary>
/// A list of names kept sorted (ordinal) and free of duplicates, as the topic and group registries
/// store them: listing needs no sort and membership is a binary search.
/// </summary>
internal static class SortedNames
{
    /// <summary>Inserts <paramref name="name"/> in order; false when it was already there (nothing to persist).</summary>
    public static bool TryAdd(List<string> names, string name)
    {
        int index = names.BinarySearch(name, StringComparer.Ordinal);
        if (index >= 0)
        {
            return false;
        }

        names.Insert(~index, name);
        return true;
    }

    /// <summary>Removes <paramref name="name"/>; false when it was not there (nothing to persist).</summary>
    public static bool TryRemove(List<string> names, string name)
    {
        int index = names.BinarySearch(name, StringComparer.Ordinal);
        if (index < 0)
        {
            return false;
        }

        names.RemoveAt(index);
        return true;
    }
}
