namespace Strait.IntegrationTests.Platform;

/// <summary>The running platform shared by the tests of the <c>platform</c> collection.</summary>
public sealed class PlatformFixture : IAsyncLifetime
{
    public StraitPlatform Platform { get; private set; } = null!;

    public async Task InitializeAsync() => Platform = await StraitPlatform.StartAsync(await SharedInfrastructure.GetAsync());

    public async Task DisposeAsync() => await Platform.DisposeAsync();
}
