using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Strait.Dispatcher.Data;

namespace Strait.IntegrationTests.Dispatcher;

/// <summary>The dispatcher service as deployed (its Program, the Development environment) with the given settings.</summary>
public sealed class DispatcherTestHost(IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<DispatcherDbContext>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
