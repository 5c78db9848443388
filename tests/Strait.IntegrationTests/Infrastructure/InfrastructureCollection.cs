namespace Strait.IntegrationTests.Infrastructure;

/// <summary>Tests that share the one <see cref="InfrastructureFixture"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class InfrastructureCollection : ICollectionFixture<InfrastructureFixture>
{
    public const string Name = "infrastructure";
}
