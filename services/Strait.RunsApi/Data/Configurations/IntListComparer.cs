using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Strait.RunsApi.Data.Configurations;

/// <summary>
/// Change tracking for <c>List&lt;int&gt;</c> columns (integer[]) by value, through plain static calls. The comparer EF
/// builds for such a property by convention compiles to code that creates a delegate on every comparison, which
/// showed up at ~3% of runs-api's CPU: every saga step snapshots and compares the run row's retry delays.
/// </summary>
public static class IntListComparer
{
    public static readonly ValueComparer<List<int>> Instance = new(
        (left, right) => SequenceEqual(left, right),
        list => Hash(list),
        list => Copy(list));

    public static bool SequenceEqual(List<int>? left, List<int>? right)
    {
        if (ReferenceEquals(left, right))
        {
            return true;
        }

        if (left is null || right is null || left.Count != right.Count)
        {
            return false;
        }

        for (var i = 0; i < left.Count; i++)
        {
            if (left[i] != right[i])
            {
                return false;
            }
        }

        return true;
    }

    public static int Hash(List<int> list)
    {
        var hash = new HashCode();
        foreach (var value in list)
        {
            hash.Add(value);
        }

        return hash.ToHashCode();
    }

    public static List<int> Copy(List<int> list) => [.. list];
}
