using Strait.Dispatcher.Data;
using Strait.Dispatcher.Delivery;

namespace Strait.UnitTests.Dispatcher;

public sealed class EndpointCircuitsTests
{
    static readonly DateTimeOffset Until = new(2026, 12, 7, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Refreshed_OwnWriteAfterTheReadBegan_KeptOverTheRowRead()
    {
        // The refresh read the row before this replica committed the failure that opened the circuit.
        var previous = new Dictionary<(string, string), EndpointCircuits.Known>
        {
            [("p", "http://a")] = new(0, Until, Write: 7),
        };
        var rows = new[] { new EndpointCircuit { ProjectId = "p", EndpointUrl = "http://a", ConsecutiveFailures = 4 } };

        var refreshed = EndpointCircuits.Refreshed(rows, previous, writesBefore: 6);

        Assert.Equal(new EndpointCircuits.Known(0, Until, 7), refreshed[("p", "http://a")]);
    }

    [Fact]
    public void Refreshed_OwnWritesBeforeTheRead_ReplacedByTheRows()
    {
        var previous = new Dictionary<(string, string), EndpointCircuits.Known>
        {
            [("p", "http://a")] = new(3, null, Write: 5),
            [("p", "http://closed")] = new(2, null, Write: 6),
        };
        // Another replica reset http://closed (no row any more) and counted one more failure of http://a.
        var rows = new[] { new EndpointCircuit { ProjectId = "p", EndpointUrl = "http://a", ConsecutiveFailures = 4 } };

        var refreshed = EndpointCircuits.Refreshed(rows, previous, writesBefore: 6);

        Assert.Equal(new EndpointCircuits.Known(4, null, 0), Assert.Single(refreshed).Value);
    }
}
