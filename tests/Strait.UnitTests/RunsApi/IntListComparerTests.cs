using Strait.RunsApi.Data.Configurations;

namespace Strait.UnitTests.RunsApi;

public sealed class IntListComparerTests
{
    private readonly Microsoft.EntityFrameworkCore.ChangeTracking.ValueComparer<List<int>> comparer = IntListComparer.Instance;

    [Fact]
    public void Equals_ByValue_AndOrderMatters()
    {
        Assert.True(comparer.Equals([1, 5, 30], [1, 5, 30]));
        Assert.True(comparer.Equals([], []));
        Assert.False(comparer.Equals([1, 5, 30], [1, 30, 5]));
        Assert.False(comparer.Equals([1, 5], [1, 5, 30]));
        Assert.False(comparer.Equals([1], null));
        Assert.Equal(comparer.GetHashCode([1, 5, 30]), comparer.GetHashCode([1, 5, 30]));
    }

    [Fact]
    public void Snapshot_IsACopy_SoAChangeInPlaceIsDetected()
    {
        List<int> delays = [1, 5];
        var snapshot = comparer.Snapshot(delays);

        delays.Add(30);

        Assert.NotSame(delays, snapshot);
        Assert.False(comparer.Equals(delays, snapshot));
    }
}
