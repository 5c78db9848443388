using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Logging;

namespace Strait.IntegrationTests.Platform;

/// <summary>A service started in-process on a real Kestrel port, so services and the gateway talk real HTTP.</summary>
public sealed class ServiceHost<TEntryPoint>(int port, IReadOnlyDictionary<string, string?> settings) : WebApplicationFactory<TEntryPoint>
    where TEntryPoint : class
{
    public Uri Address { get; } = new($"http://127.0.0.1:{port}");

    public ServiceHost<TEntryPoint> Start()
    {
        // The address goes in as the "urls" setting: UseKestrel(port) rewrites addresses after the minimal-hosting
        // Program may already have started the server, which fails now and then.
        UseKestrel();
        StartServer();
        return this;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.ConfigureLogging(logging => logging.AddProvider(new ServiceLog.Provider($"{typeof(TEntryPoint).Name}@{Address.Port}")));
        builder.UseSetting("urls", Address.ToString());
        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }
    }
}
