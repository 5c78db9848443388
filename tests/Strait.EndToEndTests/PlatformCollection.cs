namespace Strait.EndToEndTests;

/// <summary>End-to-end tests share one platform started by the app host; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PlatformCollection : ICollectionFixture<PlatformFixture>
{
    public const string Name = "platform";
}
