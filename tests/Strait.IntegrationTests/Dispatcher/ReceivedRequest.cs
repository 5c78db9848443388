namespace Strait.IntegrationTests.Dispatcher;

/// <summary>A request the test job endpoint received.</summary>
public sealed record ReceivedRequest(string Path, IReadOnlyDictionary<string, string> Headers, byte[] Body, DateTimeOffset ReceivedAt)
{
    public string Header(string name) => Headers.TryGetValue(name, out var value) ? value : "";
}
