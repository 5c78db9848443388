using System.Threading.Channels;

namespace Strait.ServiceDefaults.Hosting;

/// <summary>The read side of a group commit: whatever has queued while the previous group was handled, as one group.</summary>
public static class ChannelGroups
{
    /// <summary>
    /// Yields, until the channel is completed and drained, everything queued at the time (at most
    /// <paramref name="maxGroup"/>) as one list; it waits only while nothing is queued. The same list is reused, so
    /// handle a group before asking for the next.
    /// </summary>
    public static async IAsyncEnumerable<List<T>> ReadGroupsAsync<T>(this ChannelReader<T> reader, int maxGroup)
    {
        var group = new List<T>(maxGroup);
        while (await reader.WaitToReadAsync(CancellationToken.None))
        {
            group.Clear();
            while (group.Count < maxGroup && reader.TryRead(out var item))
            {
                group.Add(item);
            }

            yield return group;
        }
    }
}
