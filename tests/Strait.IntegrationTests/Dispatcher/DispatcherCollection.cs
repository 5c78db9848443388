namespace Strait.IntegrationTests.Dispatcher;

[CollectionDefinition(Name)]
public sealed class DispatcherCollection : ICollectionFixture<DispatcherFixture>
{
    public const string Name = "dispatcher";
}
