using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Strait.Dispatcher.Data;

namespace Strait.IntegrationTests.Dispatcher;

/// <summary>
/// The dispatcher service as deployed (Program, Development environment) with its queues prefixed, so other test
/// collections' dispatchers on the same broker never take this one's messages.
/// </summary>
public sealed class DispatcherTestHost(IReadOnlyDictionary<string, string?> settings, string queuePrefix) : WebApplicationFactory<DispatcherDbContext>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services =>
        {
            services.RemoveAll<IEndpointNameFormatter>();
            services.AddSingleton<IEndpointNameFormatter>(new KebabCaseEndpointNameFormatter(queuePrefix, false));
        });
    }
}
